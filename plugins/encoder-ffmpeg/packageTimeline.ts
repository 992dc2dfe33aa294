// One packaged track (init + segments, read by ffprobe as one concatenated CMAF stream) as each
// segment's first timestamp, whether it opens on a keyframe, its time span and size. The packet's byte
// position says which file it came from, so one ffprobe pass serves every segment of the track.

export interface TrackStream {
  readonly codecName: string;
  readonly profile: string | null;
  /** ffprobe's level (H.264: 30 for 3.0); null when it gives none. */
  readonly level: number | null;
  readonly width: number | null;
  readonly height: number | null;
  /** e.g. "30/1"; null for audio. */
  readonly frameRate: string | null;
  readonly channels: number | null;
  readonly sampleRate: number | null;
}

export interface TimedSegment {
  /** The file, as given. */
  readonly path: string;
  readonly sizeBytes: number;
  /** In the track's timescale: the first packet in decode order (what a player starts the segment with). */
  readonly firstPts: number;
  readonly firstIsKeyframe: boolean;
  /** Earliest presentation time in the segment, and where the next one begins (or the track ends). */
  readonly startPts: number;
  readonly endPts: number;
}

export interface TrackTimeline {
  readonly stream: TrackStream;
  /** Ticks per second (the inverse of ffprobe's time base). */
  readonly timescale: number;
  readonly segments: readonly TimedSegment[];
}

/**
 * `files` are the init segment then every media segment in order, with their sizes; `stdout` is
 * `ffprobe -of compact -show_entries packet=pts,duration,pos,flags:stream=…` over their concatenation.
 */
export function packageTimeline(
  stdout: string,
  files: readonly { readonly path: string; readonly sizeBytes: number }[],
): TrackTimeline | string {
  const [init, ...media] = files;
  if (init === undefined || media.length === 0) return "the track has no segments";
  const starts: number[] = [];
  let offset = init.sizeBytes;
  for (const file of media) {
    starts.push(offset);
    offset += file.sizeBytes;
  }
  // The last segment starting at or before `pos` (binary search: a film has thousands of segments).
  const segmentOf = (pos: number) => {
    let low = 0;
    let high = starts.length - 1;
    let index = -1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if (starts[mid]! <= pos) {
        index = mid;
        low = mid + 1;
      } else high = mid - 1;
    }
    return index;
  };

  interface Packet {
    readonly pts: number;
    readonly duration: number | null;
    readonly key: boolean;
  }
  const perSegment: Packet[][] = media.map(() => []);
  let stream: Record<string, string> | undefined;
  let timeBase: string | undefined;
  for (const line of stdout.split("\n")) {
    const [section, ...pairs] = line.split("|");
    const fields: Record<string, string> = Object.fromEntries(
      pairs.flatMap((pair) => {
        const at = pair.indexOf("=");
        return at > 0 ? [[pair.slice(0, at), pair.slice(at + 1)] as const] : [];
      }),
    );
    if (section === "stream") {
      stream = fields;
      timeBase = fields.time_base;
    } else if (section === "packet") {
      // "D": discarded by the edit list (an encoder's priming), never presented.
      if (fields.flags?.includes("D")) continue;
      const pts = Number(fields.pts);
      const pos = Number(fields.pos);
      if (fields.pts === undefined || !Number.isFinite(pts)) return "a packet has no timestamp";
      if (!Number.isFinite(pos)) return "a packet has no byte position";
      const index = segmentOf(pos);
      if (index < 0) return `a packet lies inside the init segment (byte ${pos})`;
      const duration = Number(fields.duration);
      perSegment[index]!.push({
        pts,
        duration: fields.duration !== undefined && Number.isFinite(duration) ? duration : null,
        key: fields.flags?.startsWith("K") === true,
      });
    }
  }
  if (stream === undefined) return "ffprobe found no stream in the track";
  const [tickNum = 0, tickDen = 0] = (timeBase ?? "").split("/").map(Number);
  if (tickNum !== 1 || !(tickDen > 0)) return `the track's time base is unusable (${timeBase ?? "none"})`;

  const empty = perSegment.findIndex((packets) => packets.length === 0);
  if (empty >= 0) return `segment ${media[empty]!.path} holds no packets`;
  const allPts = perSegment.flat().map((p) => p.pts);
  // A packet without a duration (Opus, the track's last) lasts as long as the gap before the next.
  const sorted = [...new Set(allPts)].sort((a, b) => a - b);
  const typicalGap = sorted.length > 1 ? sorted.at(-1)! - sorted.at(-2)! : 0;
  const trackEnd = Math.max(...perSegment.flat().map((p) => p.pts + (p.duration ?? typicalGap)));

  const segments: TimedSegment[] = perSegment.map((packets, i) => {
    const first = packets[0]!;
    const startPts = Math.min(...packets.map((p) => p.pts));
    return {
      path: media[i]!.path,
      sizeBytes: media[i]!.sizeBytes,
      firstPts: first.pts,
      firstIsKeyframe: first.key,
      startPts,
      endPts: 0,
    };
  });
  const timed = segments.map((segment, i) => ({
    ...segment,
    endPts: segments[i + 1]?.startPts ?? trackEnd,
  }));

  const number = (value: string | undefined) => {
    const n = Number(value);
    return value !== undefined && value !== "N/A" && Number.isFinite(n) ? n : null;
  };
  const text = (value: string | undefined) =>
    value === undefined || ["", "unknown", "N/A", "0/0"].includes(value) ? null : value;
  const video = number(stream.width) !== null;
  return {
    stream: {
      codecName: stream.codec_name ?? "unknown",
      profile: text(stream.profile),
      level: number(stream.level),
      width: number(stream.width),
      height: number(stream.height),
      frameRate: video ? (text(stream.avg_frame_rate) ?? text(stream.r_frame_rate)) : null,
      channels: number(stream.channels),
      sampleRate: number(stream.sample_rate),
    },
    timescale: tickDen,
    segments: timed,
  };
}
