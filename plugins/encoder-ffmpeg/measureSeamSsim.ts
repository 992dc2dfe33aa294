// Seam quality: SSIM of the output against the source around each seam, against the mean of short
// samples spread over the output, measured on the stitched output or, before the stitch, on each chunk
// (its frames are the output's very frames after a stream-copy concat). Each window seeks both files and
// decodes from the keyframe before it, so the cost grows with the seams, not the length.
import type { SeamQuality, SeamReport } from "../sdk/encoderPlugin.ts";
import type { SourceEgress } from "../sdk/sourceEgress.ts";
import type { ChunkEdgeSsim, SeamSsimFailed, SsimSpan } from "../sdk/splitEncoding.ts";
import { ffmpegInput } from "./ffmpegInput.ts";
import { openSourcePass } from "./openSourcePass.ts";
import { rationalValue } from "./rationalValue.ts";
import { runCommand } from "./runCommand.ts";

export interface SeamSsimInput {
  /** Absolute path of the stitched file. */
  readonly output: string;
  readonly source: string;
  /** The output's constant rate and frame size; its frame count. */
  readonly frameRate: string;
  readonly width: number;
  readonly height: number;
  readonly frameCount: number;
  /** Where chunk i + 1 starts in the output. */
  readonly seamsSec: readonly number[];
  /**
   * Where the source's first video frame is, seconds from its container's start (the first of
   * SourceFrames.frameTimesSec): the output's frame 0. 0 when absent.
   */
  readonly sourceVideoStartSec?: number;
  /** The source keyframe each sample of the mean is read from (see sampleKeyframes); even places when absent. */
  readonly sampleKeyframesSec?: readonly (number | null)[];
}

export interface SeamSsimOptions {
  readonly ffmpegPath: string;
  /** Threads of each decoder and of the filters (the worker's setting); ffmpeg chooses when absent. */
  readonly threads?: number;
  /** Frames on each side of a seam. */
  readonly windowFrames?: number;
  /** How many short samples, spread evenly over the output, make the mean; and their length in frames. */
  readonly sampleWindows?: number;
  readonly sampleFrames?: number;
  readonly timeoutMs?: number;
  /** Stops the ffmpeg at once (the job was cancelled). */
  readonly signal?: AbortSignal;
  /** How an http(s) source is read: only through a pass of the egress proxy. */
  readonly egress?: SourceEgress;
}

export type { SeamSsimFailed };

export interface ChunkEdgeSsimInput {
  /** Absolute path of the chunk's verified encode. */
  readonly chunk: string;
  readonly source: string;
  /** The whole encode's constant rate, frame size and frame count (where the mean's samples lie). */
  readonly frameRate: string;
  readonly width: number;
  readonly height: number;
  readonly totalFrames: number;
  /** The chunk holds frames [firstFrame, firstFrame + frameCount) of the whole encode. */
  readonly firstFrame: number;
  readonly frameCount: number;
  readonly sourceVideoStartSec?: number;
  readonly sampleKeyframesSec?: readonly (number | null)[];
}

interface FrameWindow {
  readonly first: number;
  /** Exclusive. */
  readonly end: number;
  /** A source keyframe at or before `first`: the source is read from it, with nothing before it decoded. */
  readonly sourceKeyframeSec?: number;
}

const defaults = { windowFrames: 12, sampleWindows: 8, sampleFrames: 6 };

/**
 * A sample read from a keyframe starts this many frames after it, so that the mean is not taken on the
 * frames right after the source's keyframes (where a re-encode on the same grid puts its own).
 */
const SAMPLE_LEAD_FRAMES = 12;

/** Frame n of the whole encode shows the source frame at or before videoStart + n / rate. */
const frameAt = (sec: number, videoStartSec: number, rate: number) =>
  Math.ceil((sec - videoStartSec) * rate - 1e-3);

/** The even place of each sample of the mean: its first frame. */
function evenSampleStarts(frameCount: number, count: number, length: number): number[] {
  return Array.from(
    { length: count },
    (_, j) => Math.round(((j + 0.5) * frameCount) / count) - Math.floor(length / 2),
  );
}

/**
 * The source keyframe each sample of the mean is read from: the first at or after its even place that
 * leaves the sample whole before the next one's place, else null (that sample keeps its even place and
 * is read from a second before it). Measuring a sample then decodes a few frames of the source instead
 * of, on average, half a group of pictures: most of a chunk's measuring time on sparse-keyframe sources.
 */
export function sampleKeyframes(
  keyframeTimesSec: readonly number[],
  videoStartSec: number,
  frameRate: string,
  frameCount: number,
  options: Pick<SeamSsimOptions, "sampleWindows" | "sampleFrames"> = {},
): (number | null)[] {
  const rate = rationalValue(frameRate);
  const count = options.sampleWindows ?? defaults.sampleWindows;
  const length = options.sampleFrames ?? defaults.sampleFrames;
  const starts = evenSampleStarts(frameCount, count, length);
  return starts.map((start, j) => {
    const limit = Math.min(starts[j + 1] ?? frameCount, frameCount);
    const keyframe = keyframeTimesSec.find((sec) => frameAt(sec, videoStartSec, rate) >= start);
    if (keyframe === undefined) return null;
    return frameAt(keyframe, videoStartSec, rate) + SAMPLE_LEAD_FRAMES + length <= limit ? keyframe : null;
  });
}

/** The short samples spread over the whole encode whose frames make the mean. */
function sampleWindowsOf(input: SampleInput, options: SeamSsimOptions): FrameWindow[] {
  const count = options.sampleWindows ?? defaults.sampleWindows;
  const length = options.sampleFrames ?? defaults.sampleFrames;
  const keyframes = input.sampleKeyframesSec?.length === count ? input.sampleKeyframesSec : undefined;
  const rate = rationalValue(input.frameRate);
  const whole = { first: 0, end: input.frameCount };
  return evenSampleStarts(input.frameCount, count, length).map((start, j) => {
    const keyframe = keyframes?.[j];
    if (keyframe === null || keyframe === undefined) return clampTo(whole, start, start + length);
    const first = frameAt(keyframe, input.sourceVideoStartSec ?? 0, rate) + SAMPLE_LEAD_FRAMES;
    return { ...clampTo(whole, first, first + length), sourceKeyframeSec: keyframe };
  });
}

type SampleInput = Pick<
  SeamSsimInput,
  "frameRate" | "frameCount" | "sourceVideoStartSec" | "sampleKeyframesSec"
>;

const clampTo = (bounds: FrameWindow, first: number, end: number): FrameWindow => ({
  first: Math.max(bounds.first, first),
  end: Math.min(bounds.end, end),
});

/** Mean SSIM of the measured frames that lie in `windows`; NaN when none does. */
function meanOver(perFrame: ReadonlyMap<number, number>, windows: readonly FrameWindow[]): SsimSpan {
  const values = [...perFrame]
    .filter(([n]) => windows.some((w) => n >= w.first && n < w.end))
    .map(([, v]) => v);
  const ssim = values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
  return { ssim, frames: values.length };
}

/** Frame → SSIM over every window, a bounded number of windows per ffmpeg run. */
async function measureAll(
  file: MeasuredFile,
  input: SourceSide,
  windows: readonly FrameWindow[],
  options: SeamSsimOptions,
): Promise<Map<number, number> | SeamSsimFailed> {
  const perFrame = new Map<number, number>();
  const nonEmpty = windows.filter((w) => w.end > w.first);
  for (let at = 0; at < nonEmpty.length; at += WINDOWS_PER_RUN) {
    const measured = await measureWindows(file, input, nonEmpty.slice(at, at + WINDOWS_PER_RUN), options);
    if (measured._tag === "SeamSsimFailed") return measured;
    for (const [n, v] of measured.values) perFrame.set(n, v);
  }
  return perFrame;
}

export async function measureSeamSsim(
  input: SeamSsimInput,
  options: SeamSsimOptions,
): Promise<SeamReport | SeamSsimFailed> {
  const rate = rationalValue(input.frameRate);
  const windowFrames = options.windowFrames ?? defaults.windowFrames;
  const whole = { first: 0, end: input.frameCount };
  const seamWindows = input.seamsSec.map((sec) => {
    const seam = Math.round(sec * rate);
    return clampTo(whole, seam - windowFrames, seam + windowFrames);
  });
  const samples = sampleWindowsOf(input, options);
  const perFrame = await measureAll(
    { path: input.output, firstFrame: 0 },
    input,
    [...seamWindows, ...samples],
    options,
  );
  if (!(perFrame instanceof Map)) return perFrame;
  const meanSsim = meanOver(perFrame, samples).ssim;
  if (!Number.isFinite(meanSsim)) return { _tag: "SeamSsimFailed", message: "ffmpeg printed no SSIM values" };
  const seams: SeamQuality[] = seamWindows.map((w, i) => {
    const { ssim } = meanOver(perFrame, [w]);
    return { index: i + 1, timeSec: input.seamsSec[i] ?? 0, ssim, delta: ssim - meanSsim };
  });
  return { _tag: "SeamReport", meanSsim, seams };
}

/**
 * One chunk's share of the seam figures, measured on the chunk alone right after its encode: its first
 * and last `windowFrames` frames (the two sides of its seams; none at the whole encode's ends) and the
 * sample windows of the mean that fall in it. The stitch combines every chunk's into the SeamReport
 * that measureSeamSsim makes of the stitched output, frame for frame the same figures.
 */
export async function measureChunkEdgeSsim(
  input: ChunkEdgeSsimInput,
  options: SeamSsimOptions,
): Promise<ChunkEdgeSsim | SeamSsimFailed> {
  const windowFrames = options.windowFrames ?? defaults.windowFrames;
  const own = { first: input.firstFrame, end: input.firstFrame + input.frameCount };
  const first = own.first > 0 ? clampTo(own, own.first, own.first + windowFrames) : null;
  const last = own.end < input.totalFrames ? clampTo(own, own.end - windowFrames, own.end) : null;
  const samples = sampleWindowsOf({ ...input, frameCount: input.totalFrames }, options)
    .map((w) => ({ ...w, ...clampTo(own, w.first, w.end) }))
    .filter((w) => w.end > w.first);
  const edges = [first, last].filter((w): w is FrameWindow => w !== null);
  const perFrame = await measureAll(
    { path: input.chunk, firstFrame: input.firstFrame },
    { ...input, frameCount: input.totalFrames },
    [...edges, ...samples],
    options,
  );
  if (!(perFrame instanceof Map)) return perFrame;
  const span = (windows: readonly FrameWindow[]): SsimSpan | null | SeamSsimFailed => {
    if (windows.length === 0) return null;
    const measured = meanOver(perFrame, windows);
    return measured.frames === 0 || !Number.isFinite(measured.ssim)
      ? { _tag: "SeamSsimFailed", message: "ffmpeg printed no SSIM values for the chunk" }
      : measured;
  };
  const figures = [span(first === null ? [] : [first]), span(last === null ? [] : [last]), span(samples)];
  const failed = figures.find((f): f is SeamSsimFailed => f !== null && "_tag" in f);
  if (failed !== undefined) return failed;
  const [firstSpan, lastSpan, samplesSpan] = figures as (SsimSpan | null)[];
  return {
    _tag: "ChunkEdgeSsim",
    first: firstSpan ?? null,
    last: lastSpan ?? null,
    samples: samplesSpan ?? null,
  };
}

/** Each window opens both files once more; this many at a time bounds the decoders held at once. */
const WINDOWS_PER_RUN = 16;

/** The file measured (the stitched output, or one chunk) and which frame of the whole encode is its first. */
interface MeasuredFile {
  readonly path: string;
  readonly firstFrame: number;
}

type SourceSide = Pick<
  SeamSsimInput,
  "source" | "frameRate" | "width" | "height" | "frameCount" | "sourceVideoStartSec"
>;

/**
 * SSIM of frames [first, end) of the whole encode in each window against the source frames the encode
 * made them from, in one ffmpeg run. Both are laid on the whole encode's grid the way the encode laid
 * the source (fps from the window's first frame time), so frame n of one is frame n of the other; the
 * source is read from a second earlier, so a VFR source's frame held over the window's start is there
 * (or from the window's own keyframe, where it has one).
 */
async function measureWindows(
  file: MeasuredFile,
  input: SourceSide,
  windows: readonly FrameWindow[],
  options: SeamSsimOptions,
): Promise<{ readonly _tag: "Measured"; readonly values: Map<number, number> } | SeamSsimFailed> {
  const rate = rationalValue(input.frameRate);
  const videoStart = input.sourceVideoStartSec ?? 0;
  // The file's own clock starts at its first frame: that frame's time on the whole encode's clock.
  const fileStartSec = file.firstFrame / rate;
  const source = ffmpegInput(input.source);
  const seconds = (value: number) => value.toFixed(6);
  const decoderThreads = options.threads === undefined ? [] : ["-threads", String(options.threads)];
  const inputs: string[] = [];
  const graphs: string[] = [];
  const outputs: string[] = [];
  for (const [i, window] of windows.entries()) {
    const firstSec = window.first / rate;
    const endSec = window.end / rate;
    const outputSeek = Math.max(0, firstSec - fileStartSec - 0.5 / rate);
    // From the window's keyframe: a quarter frame past it, so that rounding never seeks to the one
    // before, and without dropping what comes before the seek point (the fps filter starts the window)
    const fromKeyframe = window.sourceKeyframeSec !== undefined;
    const sourceSeek = fromKeyframe
      ? (window.sourceKeyframeSec ?? 0) + 0.25 / rate
      : Math.max(0, videoStart + firstSec - 1);
    // After an input seek ffmpeg counts time from the seek point; these put it back on the output's clock.
    const onGrid = (shift: number) =>
      `setpts=PTS+(${shift.toFixed(6)})/TB,fps=${input.frameRate}:start_time=${firstSec.toFixed(6)},trim=end_frame=${window.end - window.first}`;
    inputs.push(
      ...decoderThreads,
      "-ss",
      seconds(outputSeek),
      "-t",
      seconds(endSec - fileStartSec + 1 / rate - outputSeek),
      "-i",
      `file:${file.path}`,
      "-protocol_whitelist",
      source.protocolWhitelist,
      ...source.options,
      ...decoderThreads,
      ...(fromKeyframe ? ["-noaccurate_seek"] : []),
      "-ss",
      seconds(sourceSeek),
      "-t",
      seconds(videoStart + endSec + 1 / rate - sourceSeek),
      "-i",
      source.target,
    );
    graphs.push(
      `[${2 * i}:v]${onGrid(fileStartSec + outputSeek)},format=yuv420p[out${i}]`,
      `[${2 * i + 1}:v]${onGrid(sourceSeek - videoStart)},scale=${input.width}:${input.height},setsar=1,format=yuv420p[src${i}]`,
      `[out${i}][src${i}]ssim,metadata=mode=print:key=lavfi.ssim.All[ssim${i}]`,
    );
    outputs.push("-map", `[ssim${i}]`, "-f", "null", "-");
  }
  const pass = await openSourcePass(input.source, options.egress);
  if ("_tag" in pass) return { _tag: "SeamSsimFailed", message: pass.message };
  const run = await runCommand(
    options.ffmpegPath,
    [
      "-hide_banner",
      "-nostdin",
      "-nostats",
      // The metadata filter prints each frame's SSIM at this level.
      "-loglevel",
      "info",
      ...(options.threads === undefined ? [] : ["-filter_complex_threads", String(options.threads)]),
      ...inputs,
      "-filter_complex",
      graphs.join(";"),
      ...outputs,
    ],
    {
      timeoutMs: options.timeoutMs ?? 600_000,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...pass.env,
    },
  ).finally(() => pass.close());
  if (run.exitCode !== 0) {
    const refused = pass.failure();
    if (refused !== undefined)
      return { _tag: "SeamSsimFailed", message: `${refused.message} ${refused.hint}` };
    const last = run.stderr.trim().split("\n").at(-1) || run.spawnError || "no message";
    return {
      _tag: "SeamSsimFailed",
      message: `ffmpeg could not compare the output with its source: ${last}`,
    };
  }
  return { _tag: "Measured", values: parseSsimLog(run.stderr, rate) };
}

/**
 * Frame index on the grid → SSIM ("All") from the metadata filter's log: a `frame:… pts_time:T` line,
 * then its `lavfi.ssim.All=V` line.
 */
export function parseSsimLog(stderr: string, rate: number): Map<number, number> {
  const values = new Map<number, number>();
  // Keyed by the filter instance that printed the line, so windows measured in one run never mix.
  const pending = new Map<string, number>();
  for (const line of stderr.split("\n")) {
    const time = /\[(Parsed_metadata_\d+) @ [^\]]*\] frame:\S+\s+pts:\S+\s+pts_time:(\S+)/.exec(line);
    if (time) {
      pending.set(time[1] ?? "", Math.round(Number(time[2]) * rate));
      continue;
    }
    const ssim = /\[(Parsed_metadata_\d+) @ [^\]]*\] lavfi\.ssim\.All=(\S+)/.exec(line);
    const frame = ssim ? pending.get(ssim[1] ?? "") : undefined;
    if (ssim && frame !== undefined) {
      values.set(frame, Number(ssim[2]));
      pending.delete(ssim[1] ?? "");
    }
  }
  return values;
}
