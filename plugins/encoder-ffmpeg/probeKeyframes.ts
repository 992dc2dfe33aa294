// Where a source can be cut: every frame's time and its keyframes, from one ffprobe pass over the
// video stream's packets. Listing packets decodes nothing, so it beats `-skip_frame nokey` frame
// listing (which decodes every keyframe) and yields all frame times, and so the frame count, too.
import type { ProbeFailure, SourceFrames } from "../sdk/encoderPlugin.ts";
import { ffmpegInput, isRemoteInput } from "./ffmpegInput.ts";
import { parseFrameProbe } from "./parseFrameProbe.ts";
import { runCommand } from "./runCommand.ts";

export interface ProbeKeyframesOptions {
  readonly ffprobePath: string;
  /** Reading every packet header takes longer than a plain probe: about 0.1 s per minute of 720p. */
  readonly timeoutMs?: number;
}

/**
 * `videoStreamIndex` is the absolute index probeMedia chose (cover art is never it). Local sources
 * only: the planner reads a source it holds, never one behind the egress proxy.
 */
export async function probeKeyframes(
  input: string,
  videoStreamIndex: number,
  options: ProbeKeyframesOptions,
): Promise<SourceFrames | ProbeFailure> {
  if (isRemoteInput(input)) {
    return failure("keyframes are probed on a stored source, not over http(s)");
  }
  const { target, protocolWhitelist, options: inputOptions } = ffmpegInput(input);
  const result = await runCommand(
    options.ffprobePath,
    [
      "-hide_banner",
      "-v",
      "error",
      "-protocol_whitelist",
      protocolWhitelist,
      ...inputOptions,
      "-select_streams",
      String(videoStreamIndex),
      "-show_entries",
      "packet=pts,duration,flags:stream=codec_type,time_base,r_frame_rate,avg_frame_rate,nb_frames:format=start_time",
      "-of",
      "compact",
      target,
    ],
    { timeoutMs: options.timeoutMs ?? 120_000 },
  );
  if (result.spawnError !== null) return failure(`cannot run ffprobe: ${result.spawnError}`);
  if (result.timedOut) return failure("ffprobe timed out listing the source's packets");
  if (result.exitCode !== 0) {
    const last = result.stderr.trim().split("\n").at(-1) ?? "no message";
    return failure(`ffprobe failed (exit ${result.exitCode ?? "signal"}): ${last}`);
  }
  return parseFrameProbe(result.stdout, videoStreamIndex);
}

const failure = (message: string): ProbeFailure => ({ _tag: "ProbeFailure", reason: "probe_error", message });
