// An HLS VOD media playlist (RFC 8216): fMP4 segments after their init section, optionally AES-128
// encrypted, or one WebVTT file lasting the whole presentation. URIs are relative to the playlist.

export interface HlsMediaPlaylist {
  /** The init section (EXT-X-MAP); null for a subtitle playlist. */
  readonly init: string | null;
  readonly segments: readonly { readonly uri: string; readonly durationSec: number }[];
  /** Written after EXT-X-MAP, so the init section itself stays in the clear. */
  readonly key: null | { readonly uri: string; readonly ivHex: string };
}

export function hlsMediaPlaylist(playlist: HlsMediaPlaylist): string {
  const longest = Math.max(1, ...playlist.segments.map((s) => s.durationSec));
  const lines = [
    "#EXTM3U",
    "#EXT-X-VERSION:7",
    // The rounded EXTINF of every segment must not exceed it (RFC 8216 4.3.3.1).
    `#EXT-X-TARGETDURATION:${Math.max(1, Math.round(longest))}`,
    `#EXT-X-MEDIA-SEQUENCE:0`,
    "#EXT-X-PLAYLIST-TYPE:VOD",
    "#EXT-X-INDEPENDENT-SEGMENTS",
    ...(playlist.init === null ? [] : [`#EXT-X-MAP:URI="${quoted(playlist.init)}"`]),
    ...(playlist.key === null
      ? []
      : [
          `#EXT-X-KEY:METHOD=AES-128,URI="${quoted(playlist.key.uri)}",IV=0x${playlist.key.ivHex.toLowerCase()}`,
        ]),
    ...playlist.segments.flatMap((s) => [`#EXTINF:${s.durationSec.toFixed(6)},`, s.uri]),
    "#EXT-X-ENDLIST",
  ];
  return `${lines.join("\n")}\n`;
}

/** A quoted-string attribute value cannot hold a double quote or a line break (RFC 8216 4.2). */
export function quoted(value: string): string {
  return value.replace(/"/g, "'").replace(/[\r\n]+/g, " ");
}
