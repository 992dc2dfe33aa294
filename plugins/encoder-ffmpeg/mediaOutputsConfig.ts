// What the media outputs (thumbnails, subtitles) run with, and how they read a source: a local file
// directly, an http(s) one only through a pass of the egress proxy, as encodes do.
import type { ProbeFailure } from "../sdk/encoderPlugin.ts";
import type { MediaFailure } from "../sdk/mediaOutputs.ts";
import type { EgressPass, SourceEgress } from "../sdk/sourceEgress.ts";
import { isRemoteInput, proxyEnv } from "./ffmpegInput.ts";
import { type CommandResult, runCommand } from "./runCommand.ts";

export interface MediaOutputsConfig {
  readonly ffmpegPath: string;
  readonly ffprobePath: string;
  readonly egress?: SourceEgress;
  /** Per ffmpeg run; a hung process is killed after it. Default 30 minutes. */
  readonly timeoutMs?: number;
}

export const mediaFailure = (exitClass: MediaFailure["exitClass"], message: string): MediaFailure => ({
  _tag: "MediaFailure",
  exitClass,
  message,
});

const inputFaults = new Set<ProbeFailure["reason"]>([
  "not_found",
  "not_media",
  "truncated",
  "no_video",
  "refused",
]);

/** A failed probe as a media failure: the source's fault (no retry) or a passing one. */
export const probeFailureAsMedia = (failure: ProbeFailure): MediaFailure =>
  mediaFailure(inputFaults.has(failure.reason) ? "input" : "transient", failure.message);

/** Runs ffmpeg or ffprobe over `input`; an aborted run is a `cancelled` failure. */
export async function runOverSource(
  config: MediaOutputsConfig,
  file: string,
  input: string,
  args: readonly string[],
  signal?: AbortSignal,
): Promise<CommandResult | MediaFailure> {
  if (signal?.aborted) return mediaFailure("cancelled", "cancelled before it started");
  const remote = isRemoteInput(input);
  if (remote && config.egress === undefined) {
    return mediaFailure("transient", "http(s) sources need the egress proxy, and this plugin has none");
  }
  let pass: EgressPass | undefined;
  try {
    pass = remote ? await config.egress?.open() : undefined;
  } catch (error) {
    return mediaFailure("transient", `the egress proxy cannot start: ${(error as Error).message}`);
  }
  try {
    const result = await runCommand(file, args, {
      timeoutMs: config.timeoutMs ?? 30 * 60_000,
      ...(pass === undefined ? {} : { env: proxyEnv(pass.proxyUrl) }),
      ...(signal === undefined ? {} : { signal }),
    });
    if (signal?.aborted) return mediaFailure("cancelled", "cancelled");
    const refused = result.exitCode === 0 ? undefined : pass?.failure();
    if (refused !== undefined) {
      return mediaFailure(
        refused.kind === "refused" ? "input" : "transient",
        `${refused.message} ${refused.hint}`,
      );
    }
    return result;
  } finally {
    pass?.close();
  }
}

/** The last line ffmpeg wrote to stderr, for a failure's message. */
export const lastLine = (result: CommandResult): string =>
  result.stderr.trim().split("\n").at(-1) ||
  result.spawnError ||
  (result.timedOut ? "timed out" : "no message");
