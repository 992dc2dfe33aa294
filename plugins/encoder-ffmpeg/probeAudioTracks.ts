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
  start_time: z.union([z.number(), z.string()]).optional(),
  disposition: z.looseObject({ default: z.number().optional() }).optional(),
  tags: z.record(z.string(), z.string()).optional(),
});
const packetSchema = z.looseObject({
  stream_index: z.number(),
  pts_time: z.union([z.number(), z.string()]).optional(),
  duration_time: z.union([z.number(), z.string()]).optional(),
});
const probeSchema = z.looseObject({
  streams: z.array(trackSchema).default([]),
  packets: z.array(packetSchema).default([]),
});

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
      // Packets too: a container's stream duration is an estimate in MPEG-TS (3.84 s for 4 s of audio).
      "stream=index,codec_name,start_time,duration:stream_tags:stream_disposition=default:packet=stream_index,pts_time,duration_time",
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
  const spans = new Map<number, { first: number; end: number }>();
  for (const packet of parsed.data.packets) {
    const pts = Number(packet.pts_time);
    if (packet.pts_time === undefined || !Number.isFinite(pts)) continue;
    const end = pts + finiteOr(Number(packet.duration_time), 0);
    const span = spans.get(packet.stream_index);
    spans.set(packet.stream_index, {
      first: Math.min(span?.first ?? pts, pts),
      end: Math.max(span?.end ?? end, end),
    });
  }
  return parsed.data.streams.map((s) => {
    const language = s.tags?.language ?? null;
    const span = spans.get(s.index);
    // The stream's start has the edit list applied: packets before it are the encoder's priming.
    const start = finiteOr(Number(s.start_time), Number.NEGATIVE_INFINITY);
    const duration = span === undefined ? Number(s.duration) : span.end - Math.max(span.first, start);
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

const finiteOr = (value: number, fallback: number) => (Number.isFinite(value) ? value : fallback);

const failure = (message: string): ProbeFailure => ({ _tag: "ProbeFailure", reason: "probe_error", message });
