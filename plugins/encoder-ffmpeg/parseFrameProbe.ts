// Reads what `ffprobe -of compact -show_entries packet=pts,duration,flags:stream=…:format=…` said
// about one video stream into its frames' timing (SourceFrames). Packets, not decoded frames: a packet
// carries its frame's presentation time and the keyframe flag, and listing them decodes nothing.
import type { ProbeFailure, SourceFrames } from "../sdk/encoderPlugin.ts";

interface Packet {
  readonly pts: number;
  readonly duration: number;
  readonly key: boolean;
}

export function parseFrameProbe(stdout: string, videoStreamIndex: number): SourceFrames | ProbeFailure {
  const packets: Packet[] = [];
  let stream: Record<string, string> | undefined;
  let format: Record<string, string> | undefined;
  for (const line of stdout.split("\n")) {
    const [section, ...pairs] = line.split("|");
    const fields = Object.fromEntries(
      pairs.flatMap((pair) => {
        const at = pair.indexOf("=");
        return at > 0 ? [[pair.slice(0, at), pair.slice(at + 1)] as const] : [];
      }),
    );
    if (section === "packet") {
      // "D": dropped by an edit list; such a packet never becomes a frame of the output.
      if (fields.flags?.includes("D")) continue;
      const pts = Number(fields.pts);
      if (!Number.isFinite(pts) || fields.pts === undefined) {
        return failure("the video stream has packets without timestamps, so it cannot be cut");
      }
      const duration = Number(fields.duration);
      packets.push({
        pts,
        duration: Number.isFinite(duration) ? duration : 0,
        key: fields.flags?.startsWith("K") === true,
      });
    } else if (section === "stream") stream = fields;
    else if (section === "format") format = fields;
  }
  if (stream === undefined || stream.codec_type !== "video") {
    return failure(`stream ${videoStreamIndex} is not a video stream`);
  }
  const [tickNum = 0, tickDen = 0] = (stream.time_base ?? "").split("/").map(Number);
  if (!(tickNum > 0 && tickDen > 0)) {
    return failure(`the video stream has no usable time base (${stream.time_base ?? "none"})`);
  }
  if (packets.length === 0) return failure("the video stream has no frames");

  const startTimeSec = finiteOr(Number(format?.start_time), 0);
  // Multiplying before dividing gives whole-frame times the same double as i / rate (1536 / 15360 = 3 / 30).
  const seconds = (pts: number) => (pts * tickNum) / tickDen - startTimeSec;
  const sortedPts = packets.map((p) => p.pts).sort((a, b) => a - b);
  const lastPts = sortedPts.at(-1) ?? 0;
  const last = packets.find((p) => p.pts === lastPts);
  const lastGap = sortedPts.length > 1 ? lastPts - (sortedPts.at(-2) ?? lastPts) : 0;
  const lastDuration = last !== undefined && last.duration > 0 ? last.duration : lastGap;
  const declared = Number(stream.nb_frames);

  return {
    _tag: "SourceFrames",
    videoStreamIndex,
    startTimeSec,
    frameTimesSec: sortedPts.map(seconds),
    keyframeTimesSec: packets
      .filter((p) => p.key)
      .map((p) => p.pts)
      .sort((a, b) => a - b)
      .map(seconds),
    endSec: seconds(lastPts + lastDuration),
    frameCount: packets.length,
    declaredFrameCount: Number.isInteger(declared) && declared > 0 ? declared : null,
    frameRate: stream.r_frame_rate ?? "0/0",
    avgFrameRate: stream.avg_frame_rate ?? "0/0",
    variableFrameRate: intervalsVary(sortedPts),
    openGop: hasLeadingPictures(packets),
  };
}

// Timestamps are whole ticks, so a constant rate that does not divide the time base (30 fps in
// milliseconds: 33, 33, 34) still varies by one tick; anything more is a variable rate.
function intervalsVary(sortedPts: readonly number[]): boolean {
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  for (let i = 1; i < sortedPts.length; i++) {
    const gap = (sortedPts[i] ?? 0) - (sortedPts[i - 1] ?? 0);
    min = Math.min(min, gap);
    max = Math.max(max, gap);
  }
  return sortedPts.length > 2 && max - min > Math.max(1, 0.01 * max);
}

// In decode order, a closed GOP's keyframe shows first; a packet after a keyframe (before the next
// one) that shows earlier is a leading picture that refers to the GOP before: an open GOP.
function hasLeadingPictures(decodeOrder: readonly Packet[]): boolean {
  let keyPts: number | null = null;
  for (const packet of decodeOrder) {
    if (packet.key) keyPts = packet.pts;
    else if (keyPts !== null && packet.pts < keyPts) return true;
  }
  return false;
}

const finiteOr = (value: number, fallback: number) => (Number.isFinite(value) ? value : fallback);

const failure = (message: string): ProbeFailure => ({ _tag: "ProbeFailure", reason: "probe_error", message });
