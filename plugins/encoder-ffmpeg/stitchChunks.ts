// Stitches a split encode: the video chunks, in order, through the concat demuxer with stream copy,
// muxed with the audio encoded once for the whole source (MP4 with faststart, WebM or Matroska). Written to a
// temporary name beside the output and renamed into place only once verifyStitch passed; a failed
// check leaves nothing at the output and the chunks where they are, for inspection.
import { rename, rm, stat, writeFile } from "node:fs/promises";
import type { Container, SoftSubtitles, Stitched, StitchRejected } from "../sdk/encoderPlugin.ts";
import { sha256File } from "../sdk/sha256File.ts";
import type { SourceEgress } from "../sdk/sourceEgress.ts";
import { softSubtitleArgs } from "./buildFfmpegArgs.ts";
import { concatList } from "./concatList.ts";
import type { StitchExpectation } from "./expectedStitch.ts";
import { ffmpegInput } from "./ffmpegInput.ts";
import { openSourcePass } from "./openSourcePass.ts";
import { muxerOf } from "./outputContainer.ts";
import { probeStitched } from "./probeStitched.ts";
import { runCommand } from "./runCommand.ts";
import { verifyStitch } from "./verifyStitch.ts";

export interface StitchInput {
  /** Absolute paths of the video chunks, in order. */
  readonly chunks: readonly string[];
  /** The audio encode of the whole source (absolute path); null when the source has no audio. */
  readonly audio: string | null;
  /** Absolute path of the final file. */
  readonly output: string;
  readonly expected: StitchExpectation;
  /** The chunks' and the output's container; MP4 when absent. */
  readonly container?: Container;
  /** Soft subtitle tracks of the source (as the encoder reads it) muxed in beside the video and audio. */
  readonly subtitles?: SoftSubtitles & { readonly source: string };
}

export interface StitchOptions {
  readonly ffmpegPath: string;
  readonly ffprobePath: string;
  /** Stream copy runs at disk speed; the limit only stops a hung process. */
  readonly timeoutMs?: number;
  /** Stops the ffmpeg at once (the job was cancelled). */
  readonly signal?: AbortSignal;
  /** How an http(s) source's subtitles are read: only through a pass of the egress proxy. */
  readonly egress?: SourceEgress;
}

export async function stitchChunks(
  input: StitchInput,
  options: StitchOptions,
): Promise<Stitched | StitchRejected> {
  const { chunks, audio, output, expected } = input;
  const subtitles = input.subtitles?.tracks.length ? input.subtitles : undefined;
  const container = input.container ?? "mp4";
  const list = `${output}.concat.txt`;
  const partial = `${output}.partial.${container}`;
  const reject = (check: "stitch_failed" | "unreadable", message: string, hint: string): StitchRejected => ({
    _tag: "StitchRejected",
    code: "WE-JOB-012",
    check,
    message,
    hint,
    seamIndex: null,
    chunks,
  });
  const pass = await openSourcePass(subtitles?.source ?? "", options.egress);
  if ("_tag" in pass) return reject("stitch_failed", pass.message, "Run the encoder with the egress proxy.");
  try {
    await writeFile(list, concatList(chunks));
    const run = await runCommand(
      options.ffmpegPath,
      [
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "error",
        "-y",
        "-f",
        "concat",
        // Only the absolute paths concatList accepted are in the list.
        "-safe",
        "0",
        "-i",
        `file:${list}`,
        ...(audio === null ? [] : ["-i", `file:${audio}`]),
        ...(subtitles === undefined ? [] : sourceInput(subtitles.source)),
        "-map",
        "0:v:0",
        ...(audio === null ? [] : ["-map", "1:a"]),
        "-c",
        "copy",
        // the source's soft subtitles, from the input after the chunks and the audio
        ...(subtitles === undefined ? [] : softSubtitleArgs(subtitles, audio === null ? 1 : 2)),
        ...(container === "mp4" ? ["-movflags", "+faststart"] : []),
        "-f",
        muxerOf(container),
        `file:${partial}`,
      ],
      {
        timeoutMs: options.timeoutMs ?? 600_000,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        ...pass.env,
      },
    );
    if (run.exitCode !== 0) {
      const refused = pass.failure();
      if (refused !== undefined) return reject("stitch_failed", refused.message, refused.hint);
      const last = run.stderr.trim().split("\n").at(-1) || run.spawnError || "no message";
      return reject(
        "stitch_failed",
        `ffmpeg could not stitch the chunks: ${last}`,
        "Check that every chunk exists and was encoded with the same plan.",
      );
    }
    // its checksum is read beside the proof (a rejected file's is thrown away)
    const [facts, checksum] = await Promise.all([
      probeStitched(partial, { ffprobePath: options.ffprobePath }),
      sha256File(partial),
    ]);
    if (facts._tag === "ProbeFailure") {
      return reject("unreadable", facts.message, "The stitched file cannot be read back; stitch again.");
    }
    const verdict = verifyStitch(facts, expected, chunks);
    if (verdict._tag === "StitchRejected") return verdict;
    await rename(partial, output);
    const { size } = await stat(output);
    return {
      _tag: "Stitched",
      path: output,
      frameCount: verdict.frameCount,
      durationSec: verdict.durationSec,
      sizeBytes: size,
      checksum,
    };
  } finally {
    pass.close();
    await rm(list, { force: true });
    await rm(partial, { force: true });
  }
}

/** The source as an input of the stitch, with the protocols it may be read over. */
function sourceInput(source: string): string[] {
  const input = ffmpegInput(source);
  return ["-protocol_whitelist", input.protocolWhitelist, ...input.options, "-i", input.target];
}
