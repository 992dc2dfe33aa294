// Every audio track of a source with what a split encode must keep of it: language, title, whether it
// plays by default. probeMedia names only the first track; the audio encoded once keeps them all.
import { z } from "zod";
import type { AudioTrackInfo, ProbeFailure } from "../sdk/encoderPlugin.ts";
import type { SourceEgress } from "../sdk/sourceEgress.ts";
import { ffmpegInput } from "./ffmpegInput.ts";
import { openSourcePass, type SourcePass } from "./openSourcePass.ts";
import { runCommand } from "./runCommand.ts";

const trackSchema = z.looseObject({
  index: z.number(),
  codec_name: z.string().optional(),
  channels: z.number().optional(),
  sample_rate: z.union([z.number(), z.string()]).optional(),
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
  format: z.looseObject({ format_name: z.string().optional() }).optional(),
});

export interface ProbeAudioOptions {
  readonly ffprobePath: string;
  /** How an http(s) source (a presigned bucket URL, say) is read: only through a pass of the egress proxy. */
  readonly egress?: SourceEgress;
  readonly timeoutMs?: number;
}

/** A source's audio tracks and its container as ffprobe names it (e.g. "wav", "mp3"). */
export interface AudioSourceProbe {
  readonly tracks: readonly AudioTrackInfo[];
  readonly formatName: string | null;
}

export async function probeAudioTracks(
  input: string,
  options: ProbeAudioOptions,
): Promise<readonly AudioTrackInfo[] | ProbeFailure> {
  const probed = await probeAudioSource(input, options);
  return "_tag" in probed ? probed : probed.tracks;
}

export async function probeAudioSource(
  input: string,
  options: ProbeAudioOptions,
): Promise<AudioSourceProbe | ProbeFailure> {
  const pass = await openSourcePass(input, options.egress);
  if ("_tag" in pass) return failure(pass.message);
  try {
    return await listAudio(input, options, pass);
  } finally {
    pass.close();
  }
}

async function listAudio(
  input: string,
  options: ProbeAudioOptions,
  pass: SourcePass,
): Promise<AudioSourceProbe | ProbeFailure> {
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
      "stream=index,codec_name,channels,sample_rate,start_time,duration:format=format_name:stream_tags:stream_disposition=default:packet=stream_index,pts_time,duration_time",
      "-of",
      "json",
      target,
    ],
    { timeoutMs: options.timeoutMs ?? 30_000, ...pass.env },
  );
  if (result.spawnError !== null) return failure(`cannot run ffprobe: ${result.spawnError}`);
  if (result.exitCode !== 0) {
    const refused = pass.failure();
    if (refused !== undefined) return failure(`${refused.message} ${refused.hint}`);
    const last = result.stderr.trim().split("\n").at(-1) ?? "no message";
    return failure(`ffprobe failed (exit ${result.exitCode ?? "signal"}): ${last}`);
  }
  return parseAudioSource(result.stdout);
}

export function parseAudioTracks(stdout: string): readonly AudioTrackInfo[] | ProbeFailure {
  const parsed = parseAudioSource(stdout);
  return "_tag" in parsed ? parsed : parsed.tracks;
}

function parseAudioSource(stdout: string): AudioSourceProbe | ProbeFailure {
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
  const tracks = parsed.data.streams.map((s): AudioTrackInfo => {
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
      ...(s.channels !== undefined && s.channels > 0 ? { channels: s.channels } : {}),
      ...(Number(s.sample_rate) > 0 ? { sampleRate: Number(s.sample_rate) } : {}),
    };
  });
  return { tracks, formatName: parsed.data.format?.format_name ?? null };
}

const finiteOr = (value: number, fallback: number) => (Number.isFinite(value) ? value : fallback);

const failure = (message: string): ProbeFailure => ({ _tag: "ProbeFailure", reason: "probe_error", message });
