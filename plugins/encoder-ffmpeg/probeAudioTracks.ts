// Every audio track of a source with what a split encode must keep of it: language, title, whether it
// plays by default. probeMedia names only the first track; the audio encoded once keeps them all.
import { z } from "zod";
import type { AudioTrackInfo, ProbeFailure } from "../sdk/encoderPlugin.ts";
import { ffmpegInput, isRemoteInput } from "./ffmpegInput.ts";
import { runCommand } from "./runCommand.ts";

const trackSchema = z.looseObject({
  index: z.number(),
  codec_name: z.string().optional(),
  duration: z.union([z.number(), z.string()]).optional(),
  disposition: z.looseObject({ default: z.number().optional() }).optional(),
  tags: z.record(z.string(), z.string()).optional(),
});
const probeSchema = z.looseObject({ streams: z.array(trackSchema).default([]) });

export async function probeAudioTracks(
  input: string,
  options: { readonly ffprobePath: string; readonly timeoutMs?: number },
): Promise<readonly AudioTrackInfo[] | ProbeFailure> {
  if (isRemoteInput(input)) return failure("audio tracks are probed on a stored source, not over http(s)");
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
      "a",
      "-show_entries",
      "stream=index,codec_name,duration:stream_tags:stream_disposition=default",
      "-of",
      "json",
      target,
    ],
    { timeoutMs: options.timeoutMs ?? 30_000 },
  );
  if (result.spawnError !== null) return failure(`cannot run ffprobe: ${result.spawnError}`);
  if (result.exitCode !== 0) {
    const last = result.stderr.trim().split("\n").at(-1) ?? "no message";
    return failure(`ffprobe failed (exit ${result.exitCode ?? "signal"}): ${last}`);
  }
  return parseAudioTracks(result.stdout);
}

export function parseAudioTracks(stdout: string): readonly AudioTrackInfo[] | ProbeFailure {
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    return failure("ffprobe printed something that is not JSON");
  }
  const parsed = probeSchema.safeParse(json);
  if (!parsed.success) return failure(`unexpected ffprobe output: ${parsed.error.message}`);
  return parsed.data.streams.map((s) => {
    const language = s.tags?.language ?? null;
    const duration = Number(s.duration);
    return {
      index: s.index,
      codec: s.codec_name ?? "unknown",
      // "und" is ffmpeg's "undetermined": the same as no tag, and not worth writing back.
      language: language === null || language === "und" ? null : language,
      title: s.tags?.title ?? null,
      isDefault: s.disposition?.default === 1,
      durationSec: Number.isFinite(duration) && duration > 0 ? duration : null,
    };
  });
}

const failure = (message: string): ProbeFailure => ({ _tag: "ProbeFailure", reason: "probe_error", message });
