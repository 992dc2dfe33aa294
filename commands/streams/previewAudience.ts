// Who watches a stream's live preview: the players that fetched its playlist lately. A player asks for
// the playlist every few seconds while it plays, so those seen within the window are its viewers.
import { createHash } from "node:crypto";

export interface PreviewAudience {
  /** A player fetched the preview playlist of the stream. */
  seen(streamId: string, player: string): void;
  /** The players seen within the window. */
  count(streamId: string): number;
}

/** Players kept per stream at most; past it the longest unseen goes first. */
const MAX_PLAYERS_PER_STREAM = 100_000;

export function createPreviewAudience(
  options: { windowMs?: number; now?: () => number } = {},
): PreviewAudience {
  const windowMs = options.windowMs ?? 10_000;
  const now = options.now ?? Date.now;
  // per stream: player → when last seen; a Map keeps insertion order, and a player seen again moves last
  const streams = new Map<string, Map<string, number>>();

  const prune = (streamId: string, players: Map<string, number>) => {
    const since = now() - windowMs;
    for (const [player, at] of players) {
      if (at > since && players.size <= MAX_PLAYERS_PER_STREAM) break;
      players.delete(player);
    }
    if (players.size === 0) streams.delete(streamId);
  };

  return {
    seen(streamId, player) {
      const players = streams.get(streamId) ?? new Map<string, number>();
      streams.set(streamId, players);
      const id = createHash("sha256").update(player).digest("base64url").slice(0, 16);
      players.delete(id);
      players.set(id, now());
      prune(streamId, players);
    },
    count(streamId) {
      const players = streams.get(streamId);
      if (players === undefined) return 0;
      prune(streamId, players);
      return players.size;
    },
  };
}
