// Short synthetic clips made with lavfi, small enough to encode in a blink on two cores.
import { join } from "node:path";
import { runCommand } from "../../plugins/encoder-ffmpeg/runCommand.ts";

export interface TestClipSpec {
  readonly width?: number;
  readonly height?: number;
  readonly durationSec?: number;
  readonly fps?: number;
  /**
   * One entry per audio track, in order: a stereo tone, or mono silence. With several, the last is
   * marked default, so ffmpeg left to itself would not pick the first.
   */
  readonly audio?: readonly ("sine" | "silence")[];
  /** Rotation written as the container's display matrix. */
  readonly rotate?: 90 | 180 | 270;
  /** Drops frames irregularly so timestamps are uneven (nominal rate ≠ average rate). */
  readonly variableFrameRate?: boolean;
  /** Left half red, right half blue, instead of the moving test pattern. */
  readonly split?: boolean;
  readonly container?: "mp4" | "mpegts";
  /** Moves the index (moov) to the front; plain mp4 writes it at the end. */
  readonly faststart?: boolean;
}

const ffmpegPath = () => process.env.FFMPEG_PATH ?? "ffmpeg";

export async function makeTestClip(dir: string, name: string, spec: TestClipSpec = {}): Promise<string> {
  const width = spec.width ?? 320;
  const height = spec.height ?? 240;
  const duration = spec.durationSec ?? 2;
  const fps = spec.fps ?? 30;
  const audio = spec.audio ?? [];
  const container = spec.container ?? "mp4";
  const path = join(dir, name);
  const unrotated = spec.rotate ? join(dir, `unrotated-${name}`) : path;

  const video = spec.split
    ? `color=c=red:s=${width}x${height}:r=${fps}:d=${duration}[l];color=c=blue:s=${Math.floor(width / 2)}x${height}:r=${fps}:d=${duration}[r];[l][r]overlay=x=${Math.ceil(width / 2)}`
    : `testsrc2=s=${width}x${height}:r=${fps}:d=${duration}`;
  const select = spec.variableFrameRate ? ",select='lt(mod(n\\,10)\\,4)+lt(n\\,5)'" : "";
  const audioGraphs = audio.map((kind, i) =>
    kind === "sine"
      ? `sine=f=${440 * (i + 1)}:sample_rate=48000:d=${duration},pan=stereo|c0=c0|c1=c0[a${i}]`
      : `anullsrc=r=48000:cl=mono,atrim=duration=${duration}[a${i}]`,
  );
  // 4:2:0 cannot hold odd sides; 4:4:4 can, so odd-sized sources stay odd.
  const pixFmt = width % 2 === 1 || height % 2 === 1 ? "yuv444p" : "yuv420p";
  const graph = [`${video}${select},format=${pixFmt}[v]`, ...audioGraphs].join(";");
  await ffmpeg([
    "-filter_complex",
    graph,
    "-map",
    "[v]",
    ...audio.flatMap((_, i) => ["-map", `[a${i}]`]),
    ...(spec.variableFrameRate ? ["-fps_mode", "vfr"] : []),
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    ...(audio.length > 0 ? ["-c:a", "aac", "-b:a", "64k"] : []),
    ...(audio.length > 1 ? ["-disposition:a:0", "0", `-disposition:a:${audio.length - 1}`, "default"] : []),
    ...(spec.faststart ? ["-movflags", "+faststart"] : []),
    "-t",
    String(duration),
    "-f",
    container,
    unrotated,
  ]);
  if (spec.rotate) {
    // ffmpeg 5.1 turns a stream's rotate tag into a display matrix when copying into mp4.
    await ffmpeg([
      "-i",
      unrotated,
      "-map",
      "0",
      "-c",
      "copy",
      "-metadata:s:v:0",
      `rotate=${spec.rotate}`,
      ...(spec.faststart ? ["-movflags", "+faststart"] : []),
      path,
    ]);
  }
  return path;
}

async function ffmpeg(args: readonly string[]): Promise<void> {
  const result = await runCommand(ffmpegPath(), ["-hide_banner", "-nostdin", "-v", "error", "-y", ...args], {
    timeoutMs: 60_000,
  });
  if (result.exitCode !== 0)
    throw new Error(`making a test clip failed: ${result.stderr || result.spawnError}`);
}
