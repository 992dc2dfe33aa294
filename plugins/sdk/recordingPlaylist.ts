// The HLS playlist of a live session's stored segments (the preview plays it a few seconds behind):
// a publisher that dropped and came back starts a new run of segments after an EXT-X-DISCONTINUITY.

export interface RecordedSegment {
  /** The segment's number in the session, from 0; its stored name follows it. */
  readonly index: number;
  readonly durationSeconds: number;
  /** The segment is the first after the publisher came back. */
  readonly discontinuity: boolean;
}

export function recordingPlaylist(
  segments: readonly RecordedSegment[],
  segmentName: (index: number) => string,
  ended: boolean,
): string {
  const longest = segments.reduce((most, segment) => Math.max(most, segment.durationSeconds), 2);
  const lines = [
    "#EXTM3U",
    "#EXT-X-VERSION:3",
    `#EXT-X-TARGETDURATION:${Math.ceil(longest)}`,
    "#EXT-X-MEDIA-SEQUENCE:0",
    `#EXT-X-PLAYLIST-TYPE:${ended ? "VOD" : "EVENT"}`,
  ];
  for (const segment of segments) {
    if (segment.discontinuity) lines.push("#EXT-X-DISCONTINUITY");
    lines.push(`#EXTINF:${segment.durationSeconds.toFixed(3)},`, segmentName(segment.index));
  }
  if (ended) lines.push("#EXT-X-ENDLIST");
  return `${lines.join("\n")}\n`;
}

/** The closed segments an ffmpeg HLS muxer has listed so far in its own playlist, in order. */
export function listedSegments(
  playlist: string,
): readonly { readonly uri: string; readonly durationSeconds: number }[] {
  const segments: { uri: string; durationSeconds: number }[] = [];
  let duration: number | null = null;
  for (const raw of playlist.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith("#EXTINF:")) {
      duration = Number.parseFloat(line.slice("#EXTINF:".length));
    } else if (line !== "" && !line.startsWith("#") && duration !== null) {
      segments.push({ uri: line, durationSeconds: Number.isFinite(duration) ? duration : 0 });
      duration = null;
    }
  }
  return segments;
}

const SEGMENT_INDEX = /segment-(\d+)\.ts$/;

/**
 * The segments a stored recording playlist lists (what an earlier run of the ingest had stored), with
 * their numbers and discontinuities: a recording taken over continues after the last of them.
 */
export function playlistSegments(playlist: string): readonly RecordedSegment[] {
  const segments: RecordedSegment[] = [];
  let duration: number | null = null;
  let discontinuity = false;
  for (const raw of playlist.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "#EXT-X-DISCONTINUITY") {
      discontinuity = true;
    } else if (line.startsWith("#EXTINF:")) {
      duration = Number.parseFloat(line.slice("#EXTINF:".length));
    } else if (line !== "" && !line.startsWith("#") && duration !== null) {
      const index = Number(SEGMENT_INDEX.exec(line)?.[1]);
      if (Number.isInteger(index)) {
        segments.push({ index, durationSeconds: Number.isFinite(duration) ? duration : 0, discontinuity });
      }
      duration = null;
      discontinuity = false;
    }
  }
  return segments;
}
