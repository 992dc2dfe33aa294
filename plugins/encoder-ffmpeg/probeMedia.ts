import { open } from "node:fs/promises";
import type { ProbeFailure, SourceInfo } from "../sdk/encoderPlugin.ts";
import { ffmpegInput } from "./ffmpegInput.ts";
import { parseProbeOutput } from "./parseProbeOutput.ts";
import { runCommand } from "./runCommand.ts";

export async function probeMedia(
  input: string,
  options: { readonly ffprobePath: string; readonly timeoutMs?: number },
): Promise<SourceInfo | ProbeFailure> {
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
      "-print_format",
      "json",
      "-show_format",
      "-show_streams",
      target,
    ],
    { timeoutMs: options.timeoutMs ?? 30_000 },
  );
  if (result.spawnError !== null) {
    return {
      _tag: "ProbeFailure",
      reason: "probe_error",
      message: `cannot run ffprobe: ${result.spawnError}`,
    };
  }
  if (result.timedOut) {
    return { _tag: "ProbeFailure", reason: "probe_error", message: "ffprobe timed out" };
  }
  return parseProbeOutput({
    input,
    exitCode: result.exitCode,
    stdout: result.stdout,
    stderr: result.stderr,
    startsLikeMp4: result.exitCode === 0 ? undefined : await startsWithFtyp(target),
  });
}

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
