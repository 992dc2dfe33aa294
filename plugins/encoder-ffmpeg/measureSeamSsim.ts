// Seam quality: SSIM of the output against the source around each seam, against the mean of short
// samples spread over the output. Each window seeks both files and decodes from the keyframe before
// it, so the cost grows with the seams, not the length (sparse source keyframes make seeks dearer).
import type { SeamQuality, SeamReport } from "../sdk/encoderPlugin.ts";
import { ffmpegInput } from "./ffmpegInput.ts";
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
}

export interface SeamSsimOptions {
  readonly ffmpegPath: string;
  /** Frames on each side of a seam. */
  readonly windowFrames?: number;
  /** How many short samples, spread evenly over the output, make the mean; and their length in frames. */
  readonly sampleWindows?: number;
  readonly sampleFrames?: number;
  readonly timeoutMs?: number;
  /** Stops the ffmpeg at once (the job was cancelled). */
  readonly signal?: AbortSignal;
}

export interface SeamSsimFailed {
  readonly _tag: "SeamSsimFailed";
  readonly message: string;
}

interface FrameWindow {
  readonly first: number;
  /** Exclusive. */
  readonly end: number;
}

export async function measureSeamSsim(
  input: SeamSsimInput,
  options: SeamSsimOptions,
): Promise<SeamReport | SeamSsimFailed> {
  const rate = rationalValue(input.frameRate);
  const windowFrames = options.windowFrames ?? 12;
  const sampleWindows = options.sampleWindows ?? 8;
  const sampleFrames = options.sampleFrames ?? 6;
  const clamp = (first: number, end: number): FrameWindow => ({
    first: Math.max(0, first),
    end: Math.min(input.frameCount, end),
  });
  const seamWindows = input.seamsSec.map((sec) => {
    const seam = Math.round(sec * rate);
    return clamp(seam - windowFrames, seam + windowFrames);
  });
  const samples = Array.from({ length: sampleWindows }, (_, j) => {
    const middle = Math.round(((j + 0.5) * input.frameCount) / sampleWindows);
    return clamp(middle - Math.floor(sampleFrames / 2), middle + Math.ceil(sampleFrames / 2));
  });
  const perFrame = new Map<number, number>();
  const windows = [...seamWindows, ...samples].filter((w) => w.end > w.first);
  for (let at = 0; at < windows.length; at += WINDOWS_PER_RUN) {
    const measured = await measureWindows(input, windows.slice(at, at + WINDOWS_PER_RUN), rate, options);
    if (measured._tag === "SeamSsimFailed") return measured;
    for (const [n, v] of measured.values) perFrame.set(n, v);
  }
  const mean = (windows: readonly FrameWindow[]) => {
    const values = [...perFrame]
      .filter(([n]) => windows.some((w) => n >= w.first && n < w.end))
      .map(([, v]) => v);
    return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
  };
  const meanSsim = mean(samples);
  if (!Number.isFinite(meanSsim)) return { _tag: "SeamSsimFailed", message: "ffmpeg printed no SSIM values" };
  const seams: SeamQuality[] = seamWindows.map((w, i) => {
    const ssim = mean([w]);
    return { index: i + 1, timeSec: input.seamsSec[i] ?? 0, ssim, delta: ssim - meanSsim };
  });
  return { _tag: "SeamReport", meanSsim, seams };
}

/** Each window opens both files once more; this many at a time bounds the decoders held at once. */
const WINDOWS_PER_RUN = 16;

/**
 * SSIM of output frames [first, end) of each window against the source frames the encode made them
 * from, in one ffmpeg run. Both are laid on the grid the way the encode laid the source (fps from the
 * window's first frame time), so frame n of one is frame n of the other; the source is read from a
 * second earlier, so a VFR source's frame held over the window's start is there to be held.
 */
async function measureWindows(
  input: SeamSsimInput,
  windows: readonly FrameWindow[],
  rate: number,
  options: SeamSsimOptions,
): Promise<{ readonly _tag: "Measured"; readonly values: Map<number, number> } | SeamSsimFailed> {
  const videoStart = input.sourceVideoStartSec ?? 0;
  const source = ffmpegInput(input.source);
  const seconds = (value: number) => value.toFixed(6);
  const inputs: string[] = [];
  const graphs: string[] = [];
  const outputs: string[] = [];
  for (const [i, window] of windows.entries()) {
    const firstSec = window.first / rate;
    const endSec = window.end / rate;
    const outputSeek = Math.max(0, firstSec - 0.5 / rate);
    const sourceSeek = Math.max(0, videoStart + firstSec - 1);
    // After an input seek ffmpeg counts time from the seek point; these put it back on the output's clock.
    const onGrid = (shift: number) =>
      `setpts=PTS+(${shift.toFixed(6)})/TB,fps=${input.frameRate}:start_time=${firstSec.toFixed(6)},trim=end_frame=${window.end - window.first}`;
    inputs.push(
      "-ss",
      seconds(outputSeek),
      "-t",
      seconds(endSec + 1 / rate - outputSeek),
      "-i",
      `file:${input.output}`,
      "-protocol_whitelist",
      source.protocolWhitelist,
      ...source.options,
      "-ss",
      seconds(sourceSeek),
      "-t",
      seconds(videoStart + endSec + 1 / rate - sourceSeek),
      "-i",
      source.target,
    );
    graphs.push(
      `[${2 * i}:v]${onGrid(outputSeek)},format=yuv420p[out${i}]`,
      `[${2 * i + 1}:v]${onGrid(sourceSeek - videoStart)},scale=${input.width}:${input.height},setsar=1,format=yuv420p[src${i}]`,
      `[out${i}][src${i}]ssim,metadata=mode=print:key=lavfi.ssim.All[ssim${i}]`,
    );
    outputs.push("-map", `[ssim${i}]`, "-f", "null", "-");
  }
  const run = await runCommand(
    options.ffmpegPath,
    [
      "-hide_banner",
      "-nostdin",
      "-nostats",
      // The metadata filter prints each frame's SSIM at this level.
      "-loglevel",
      "info",
      ...inputs,
      "-filter_complex",
      graphs.join(";"),
      ...outputs,
    ],
    {
      timeoutMs: options.timeoutMs ?? 600_000,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    },
  );
  if (run.exitCode !== 0) {
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
