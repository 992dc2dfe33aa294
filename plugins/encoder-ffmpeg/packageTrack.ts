// Cuts one input's first video or audio stream into CMAF: `init.mp4` and `seg_00001.m4s`, … in `dir`,
// by stream copy with ffmpeg's HLS muxer, which cuts at the first keyframe past each segment length.
import { mkdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { classifyFailure } from "./classifyFailure.ts";
import { runCommand } from "./runCommand.ts";

export interface PackagedTrackFiles {
  readonly _tag: "TrackFiles";
  /** Relative to the output folder. */
  readonly init: string;
  readonly segments: readonly string[];
}

export type PackageTrackFailure =
  | { readonly _tag: "InputFault"; readonly message: string }
  | {
      readonly _tag: "MediaFailure";
      readonly exitClass: "transient" | "cancelled";
      readonly message: string;
    };

/** The name segment files get; DASH's SegmentTemplate spells the same pattern. */
export const SEGMENT_PATTERN = { ffmpeg: "seg_%05d.m4s", dash: "seg_$Number%05d$.m4s", first: 1 } as const;

export async function packageTrack(options: {
  readonly ffmpegPath: string;
  readonly input: string;
  readonly stream: "video" | "audio";
  readonly outputDir: string;
  /** Relative to outputDir, e.g. "video/720p". */
  readonly dir: string;
  readonly segmentSec: number;
  readonly signal?: AbortSignal;
}): Promise<PackagedTrackFiles | PackageTrackFailure> {
  const folder = join(options.outputDir, options.dir);
  await mkdir(folder, { recursive: true });
  // ffmpeg's own playlist only lists the segments it wrote; ours are written from what ffprobe reads.
  const listing = join(folder, ".segments.m3u8");
  const result = await runCommand(
    options.ffmpegPath,
    [
      "-hide_banner",
      "-nostdin",
      "-v",
      "error",
      "-y",
      "-i",
      options.input,
      "-map",
      options.stream === "video" ? "0:v:0" : "0:a:0",
      "-c",
      "copy",
      "-map_metadata",
      "-1",
      "-f",
      "hls",
      "-hls_segment_type",
      "fmp4",
      "-hls_playlist_type",
      "vod",
      "-hls_time",
      String(options.segmentSec),
      "-start_number",
      String(SEGMENT_PATTERN.first),
      "-hls_fmp4_init_filename",
      "init.mp4",
      "-hls_segment_filename",
      join(folder, SEGMENT_PATTERN.ffmpeg),
      listing,
    ],
    { timeoutMs: 3_600_000, ...(options.signal === undefined ? {} : { signal: options.signal }) },
  );
  if (options.signal?.aborted)
    return { _tag: "MediaFailure", exitClass: "cancelled", message: "packaging cancelled" };
  if (result.spawnError !== null) {
    return {
      _tag: "MediaFailure",
      exitClass: "transient",
      message: `cannot run ffmpeg: ${result.spawnError}`,
    };
  }
  if (result.exitCode !== 0 || result.timedOut) {
    const verdict = classifyFailure({
      exitCode: result.exitCode,
      signal: result.timedOut ? "SIGKILL" : null,
      stderr: result.stderr,
      killedBy: null,
    });
    if (verdict.exitClass === "input" || /matches no streams/.test(result.stderr)) {
      const why = result.stderr.trim().split("\n").at(-1) ?? verdict.message;
      return { _tag: "InputFault", message: `cannot package ${options.stream} of ${options.input}: ${why}` };
    }
    return {
      _tag: "MediaFailure",
      exitClass: "transient",
      message: `packaging ${options.dir}: ${verdict.message}`,
    };
  }
  const segments = (await readFile(listing, "utf8"))
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((name) => `${options.dir}/${name}`);
  await rm(listing, { force: true });
  return { _tag: "TrackFiles", init: `${options.dir}/init.mp4`, segments };
}
