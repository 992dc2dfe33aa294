// Probes a source with ffprobe. An http(s) source is read only through a pass of the egress proxy;
// what the proxy refused or could not reach for that pass is the answer, whatever ffprobe made of it.
import { open } from "node:fs/promises";
import type { ProbeFailure, SourceInfo } from "../sdk/encoderPlugin.ts";
import type { EgressPass, SourceEgress } from "../sdk/sourceEgress.ts";
import { ffmpegInput, isRemoteInput, proxyEnv } from "./ffmpegInput.ts";
import { parseProbeOutput } from "./parseProbeOutput.ts";
import { runCommand } from "./runCommand.ts";

export interface ProbeOptions {
  readonly ffprobePath: string;
  readonly timeoutMs?: number;
  /** Required for http(s) inputs: without it they are not fetched at all. */
  readonly egress?: SourceEgress;
}

export async function probeMedia(input: string, options: ProbeOptions): Promise<SourceInfo | ProbeFailure> {
  const remote = isRemoteInput(input);
  if (remote && options.egress === undefined) {
    return failure("probe_error", "http(s) sources need the egress proxy, and this encoder has none");
  }
  let pass: EgressPass | undefined;
  try {
    pass = remote ? await options.egress?.open() : undefined;
  } catch (error) {
    return failure("probe_error", `the egress proxy cannot start: ${(error as Error).message}`);
  }
  try {
    const { target, protocolWhitelist, options: inputOptions } = ffmpegInput(input);
    const timeoutMs = options.timeoutMs ?? 30_000;
    const result = await runCommand(
      options.ffprobePath,
      [
        "-hide_banner",
        "-v",
        "error",
        "-protocol_whitelist",
        protocolWhitelist,
        ...inputOptions,
        "-print_format",
        "json",
        "-show_format",
        "-show_streams",
        target,
      ],
      { timeoutMs, ...(pass === undefined ? {} : { env: proxyEnv(pass.proxyUrl) }) },
    );
    if (result.spawnError !== null) {
      return failure("probe_error", `cannot run ffprobe: ${result.spawnError}`);
    }
    // A run that read its source stands, whatever the proxy saw on the way (a 416 past the end, say).
    const refused = result.exitCode === 0 ? undefined : pass?.failure();
    if (refused !== undefined) return failure(refused.kind, `${refused.message} ${refused.hint}`);
    if (result.timedOut) {
      return remote
        ? failure("unreachable", `The source did not answer within ${Math.round(timeoutMs / 1000)} s.`)
        : failure("probe_error", "ffprobe timed out");
    }
    return parseProbeOutput({
      input,
      remote,
      exitCode: result.exitCode,
      stdout: result.stdout,
      stderr: result.stderr,
      startsLikeMp4: result.exitCode === 0 ? undefined : await startsWithFtyp(target),
    });
  } finally {
    pass?.close();
  }
}

const failure = (reason: ProbeFailure["reason"], message: string): ProbeFailure => ({
  _tag: "ProbeFailure",
  reason,
  message,
});

async function startsWithFtyp(target: string): Promise<boolean | undefined> {
  if (!target.startsWith("file:")) return undefined;
  try {
    const file = await open(target.slice("file:".length), "r");
    try {
      const head = Buffer.alloc(8);
      const { bytesRead } = await file.read(head, 0, 8, 0);
      return bytesRead === 8 && head.toString("latin1", 4, 8) === "ftyp";
    } finally {
      await file.close();
    }
  } catch {
    return undefined;
  }
}
