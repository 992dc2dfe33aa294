// Reads one packaged track back with ffprobe: its init segment and every media segment, concatenated
// as a player would append them, so what is checked is what players will be given.
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { packageTimeline, type TrackTimeline } from "./packageTimeline.ts";
import { runCommand } from "./runCommand.ts";

export async function packageProbe(
  ffprobePath: string,
  outputDir: string,
  /** Relative to outputDir: the init segment, then the media segments in order. */
  files: readonly string[],
  signal?: AbortSignal,
): Promise<TrackTimeline | string> {
  if (files.some((file) => file.includes("|")) || outputDir.includes("|")) {
    return "a path holds '|', which ffmpeg's concat protocol cannot read";
  }
  const sized = await Promise.all(
    files.map(async (path) => ({ path, sizeBytes: (await stat(join(outputDir, path))).size })),
  );
  const result = await runCommand(
    ffprobePath,
    [
      "-hide_banner",
      "-v",
      "error",
      "-show_entries",
      "packet=pts,duration,pos,flags:stream=codec_name,profile,level,width,height,avg_frame_rate,r_frame_rate,channels,sample_rate,time_base",
      "-of",
      "compact",
      `concat:${files.map((file) => join(outputDir, file)).join("|")}`,
    ],
    { timeoutMs: 300_000, ...(signal === undefined ? {} : { signal }) },
  );
  if (result.spawnError !== null) return `cannot run ffprobe: ${result.spawnError}`;
  if (result.timedOut) return "ffprobe timed out reading the packaged segments";
  if (result.exitCode !== 0) {
    return `ffprobe could not read ${files[0] ?? "the track"}: ${result.stderr.trim().split("\n").at(-1) ?? ""}`;
  }
  return packageTimeline(result.stdout, sized);
}
