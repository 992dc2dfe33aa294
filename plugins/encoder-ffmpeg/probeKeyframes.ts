// Where a source can be cut: every frame's time and its keyframes, from one ffprobe pass over the
// video stream's packets. Listing packets decodes nothing, so it beats `-skip_frame nokey` frame
// listing (which decodes every keyframe) and yields all frame times, and so the frame count, too.
import type { ProbeFailure, SourceFrames } from "../sdk/encoderPlugin.ts";
import type { EgressPass, SourceEgress } from "../sdk/sourceEgress.ts";
import { ffmpegInput, isRemoteInput, proxyEnv } from "./ffmpegInput.ts";
import { parseFrameProbe } from "./parseFrameProbe.ts";
import { runCommand } from "./runCommand.ts";

export interface ProbeKeyframesOptions {
  readonly ffprobePath: string;
  /** How an http(s) source (a presigned bucket URL, say) is read: only through a pass of the egress proxy. */
  readonly egress?: SourceEgress;
  /** Reading every packet header takes longer than a plain probe: about 0.1 s per minute of 720p. */
  readonly timeoutMs?: number;
}

/**
 * `videoStreamIndex` is the absolute index probeMedia chose (cover art is never it). A remote source is
 * read through a pass of the egress proxy, as probes and encodes read it; without the proxy, not at all.
 */
export async function probeKeyframes(
  input: string,
  videoStreamIndex: number,
  options: ProbeKeyframesOptions,
): Promise<SourceFrames | ProbeFailure> {
  const remote = isRemoteInput(input);
  if (remote && options.egress === undefined) {
    return failure(
      "keyframes are probed over http(s) only through the egress proxy, and this encoder has none",
    );
  }
  let pass: EgressPass | undefined;
  try {
    pass = remote ? await options.egress?.open() : undefined;
  } catch (error) {
    return failure(`the egress proxy cannot start: ${(error as Error).message}`);
  }
  try {
    return await listPackets(input, videoStreamIndex, options, pass);
  } finally {
    pass?.close();
  }
}

async function listPackets(
  input: string,
  videoStreamIndex: number,
  options: ProbeKeyframesOptions,
  pass: EgressPass | undefined,
): Promise<SourceFrames | ProbeFailure> {
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
    {
      timeoutMs: options.timeoutMs ?? 120_000,
      ...(pass === undefined ? {} : { env: proxyEnv(pass.proxyUrl) }),
    },
  );
  if (result.spawnError !== null) return failure(`cannot run ffprobe: ${result.spawnError}`);
  if (result.timedOut) return failure("ffprobe timed out listing the source's packets");
  if (result.exitCode !== 0) {
    const refused = pass?.failure();
    if (refused !== undefined) return failure(`${refused.message} ${refused.hint}`);
    const last = result.stderr.trim().split("\n").at(-1) ?? "no message";
    return failure(`ffprobe failed (exit ${result.exitCode ?? "signal"}): ${last}`);
  }
  return parseFrameProbe(result.stdout, videoStreamIndex);
}

const failure = (message: string): ProbeFailure => ({ _tag: "ProbeFailure", reason: "probe_error", message });
