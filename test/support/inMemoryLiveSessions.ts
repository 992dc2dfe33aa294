// Test support: a LiveSessions over an in-memory map, until the stream aggregate's own lands. It follows the
// port's rules (unknown or rotated key refused, one publisher per key, a dropped session resumed within
// the window) and logs every call. It may start with sessions an earlier run of the ingest left open.
import type {
  LiveSessions,
  OpenLiveSession,
  PublishVerdict,
  SessionRecording,
} from "../../domain/ports/liveSessions.ts";

export interface SessionLog {
  readonly admitted: PublishVerdict[];
  readonly interrupted: { streamId: string; sessionId: string }[];
  readonly ended: {
    streamId: string;
    sessionId: string;
    reason: string;
    recording: SessionRecording | null;
  }[];
}

export function inMemoryLiveSessions(
  keys: ReadonlyMap<string, string>,
  windowMs: number,
  leftOpen: readonly OpenLiveSession[] = [],
): LiveSessions & { readonly log: SessionLog } {
  const streams = new Map<string, { sessionId: string; live: boolean; droppedAt: number | null }>(
    leftOpen.map((open) => [
      open.streamId,
      {
        sessionId: open.sessionId,
        live: open.status === "live",
        droppedAt: open.interruptedAt === null ? null : Date.parse(open.interruptedAt),
      },
    ]),
  );
  const log: SessionLog = { admitted: [], interrupted: [], ended: [] };
  let sessions = 0;
  return {
    log,
    async openSessions() {
      return leftOpen.filter((open) => streams.get(open.streamId)?.sessionId === open.sessionId);
    },
    async admit(attempt) {
      const streamId = keys.get(attempt.streamKey);
      const current = streamId === undefined ? undefined : streams.get(streamId);
      let verdict: PublishVerdict;
      if (streamId === undefined) {
        verdict = { _tag: "Denied", code: "WE-STR-002", reason: "Unknown or rotated stream key." };
      } else if (current?.live) {
        verdict = { _tag: "Denied", code: "WE-STR-003", reason: "The stream has a publisher already." };
      } else {
        const resumed = current?.droppedAt != null && Date.now() - current.droppedAt < windowMs;
        const sessionId = resumed && current ? current.sessionId : `session-${++sessions}`;
        streams.set(streamId, { sessionId, live: true, droppedAt: null });
        verdict = { _tag: "Allowed", streamId, sessionId, resumed, record: true };
      }
      log.admitted.push(verdict);
      return verdict;
    },
    async interrupted(streamId, sessionId, _reason, at) {
      const current = streams.get(streamId);
      if (current?.sessionId === sessionId)
        streams.set(streamId, {
          ...current,
          live: false,
          droppedAt: at === undefined ? Date.now() : Date.parse(at),
        });
      log.interrupted.push({ streamId, sessionId });
    },
    async ended(streamId, sessionId, outcome) {
      streams.delete(streamId);
      log.ended.push({ streamId, sessionId, ...outcome });
    },
  };
}
