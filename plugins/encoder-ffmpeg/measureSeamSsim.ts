// Seam quality: SSIM of the stitched output against the source over the frames around each seam,
// against the mean over a sample of frames spread over the whole output. One ffmpeg pass decodes both
// files, lays the source on the output's frame grid (as the encode did) and compares only the frames
// selected, scaled to the output's size, so the cost is two decodes rather than a full comparison.
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
}

export interface SeamSsimOptions {
  readonly ffmpegPath: string;
  /** Frames on each side of a seam. */
  readonly windowFrames?: number;
  /** About how many frames, spread evenly, make the mean. */
  readonly sampleFrames?: number;
  readonly timeoutMs?: number;
}

export interface SeamSsimFailed {
  readonly _tag: "SeamSsimFailed";
  readonly message: string;
}

export async function measureSeamSsim(
  input: SeamSsimInput,
  options: SeamSsimOptions,
): Promise<SeamReport | SeamSsimFailed> {
  const rate = rationalValue(input.frameRate);
  const windowFrames = options.windowFrames ?? 12;
  const step = Math.max(1, Math.floor(input.frameCount / (options.sampleFrames ?? 120)));
  const windows = input.seamsSec.map((sec) => {
    const seam = Math.round(sec * rate);
    return {
      seam,
      first: Math.max(0, seam - windowFrames),
      last: Math.min(input.frameCount - 1, seam + windowFrames - 1),
    };
  });
  const select = [...windows.map((w) => `between(n,${w.first},${w.last})`), `not(mod(n,${step}))`].join("+");
  // Both on the same grid from zero, so frame n of one is frame n of the other.
  const grid = `setpts=PTS-STARTPTS,fps=${input.frameRate},select='${select}'`;
  const source = ffmpegInput(input.source);
  const run = await runCommand(
    options.ffmpegPath,
    [
      "-hide_banner",
      "-nostdin",
      "-nostats",
      // The metadata filter prints each frame's SSIM at this level.
      "-loglevel",
      "info",
      "-i",
      `file:${input.output}`,
      "-protocol_whitelist",
      source.protocolWhitelist,
      ...source.options,
      "-i",
      source.target,
      "-filter_complex",
      `[0:v]${grid},format=yuv420p[out];[1:v]${grid},scale=${input.width}:${input.height},setsar=1,format=yuv420p[src];[out][src]ssim,metadata=mode=print:key=lavfi.ssim.All`,
      "-f",
      "null",
      "-",
    ],
    { timeoutMs: options.timeoutMs ?? 600_000 },
  );
  if (run.exitCode !== 0) {
    const last = run.stderr.trim().split("\n").at(-1) || run.spawnError || "no message";
    return {
      _tag: "SeamSsimFailed",
      message: `ffmpeg could not compare the output with its source: ${last}`,
    };
  }
  const perFrame = parseSsimLog(run.stderr, rate);
  const mean = (frames: (n: number) => boolean) => {
    const values = [...perFrame].filter(([n]) => frames(n)).map(([, v]) => v);
    return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
  };
  const meanSsim = mean((n) => n % step === 0);
  if (!Number.isFinite(meanSsim)) return { _tag: "SeamSsimFailed", message: "ffmpeg printed no SSIM values" };
  const seams: SeamQuality[] = windows.map((w, i) => {
    const ssim = mean((n) => n >= w.first && n <= w.last);
    return { index: i + 1, timeSec: input.seamsSec[i] ?? 0, ssim, delta: ssim - meanSsim };
  });
  return { _tag: "SeamReport", meanSsim, seams };
}

/**
 * Frame index on the grid → SSIM ("All") from the metadata filter's log: a `frame:… pts_time:T` line,
 * then its `lavfi.ssim.All=V` line.
 */
export function parseSsimLog(stderr: string, rate: number): Map<number, number> {
  const values = new Map<number, number>();
  let frame: number | null = null;
  for (const line of stderr.split("\n")) {
    const time = /\bpts_time:(\S+)/.exec(line);
    if (time) {
      frame = Math.round(Number(time[1]) * rate);
      continue;
    }
    const ssim = /lavfi\.ssim\.All=(\S+)/.exec(line);
    if (ssim && frame !== null) {
      values.set(frame, Number(ssim[1]));
      frame = null;
    }
  }
  return values;
}
