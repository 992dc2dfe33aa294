// The source's subtitle tracks: what ffprobe says of each (codec, text or bitmap, language, title,
// default, forced), and every text track converted to WebVTT and SRT in one ffmpeg run. Bitmap tracks
// (PGS, DVD) cannot become text; they can only be burnt in (planEncode).
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import type { ExtractedSubtitle, MediaFailure, SubtitleTrackInfo } from "../sdk/mediaOutputs.ts";
import { ffmpegInput } from "./ffmpegInput.ts";
import { lastLine, type MediaOutputsConfig, mediaFailure, runOverSource } from "./mediaOutputsConfig.ts";

/** Codecs ffmpeg can decode to text and so write as WebVTT or SRT. */
const textCodecs = new Set([
  "subrip",
  "srt",
  "ass",
  "ssa",
  "mov_text",
  "webvtt",
  "text",
  "subviewer",
  "microdvd",
]);

const probedSchema = z.object({
  streams: z
    .array(
      z.object({
        index: z.number(),
        codec_name: z.string().optional(),
        tags: z.record(z.string(), z.string()).optional(),
        disposition: z.record(z.string(), z.number()).optional(),
      }),
    )
    .default([]),
});

export async function ffmpegSubtitleTracks(
  input: string,
  config: MediaOutputsConfig,
  signal?: AbortSignal,
): Promise<readonly SubtitleTrackInfo[] | MediaFailure> {
  const source = ffmpegInput(input);
  const result = await runOverSource(
    config,
    config.ffprobePath,
    input,
    [
      ...["-hide_banner", "-v", "error", "-protocol_whitelist", source.protocolWhitelist, ...source.options],
      ...["-select_streams", "s", "-show_entries", "stream=index,codec_name:stream_tags:stream_disposition"],
      ...["-print_format", "json", source.target],
    ],
    signal,
  );
  if ("_tag" in result) return result;
  if (result.exitCode !== 0) {
    return mediaFailure(
      result.timedOut ? "transient" : "input",
      `ffprobe cannot read the source: ${lastLine(result)}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(result.stdout);
  } catch {
    return mediaFailure("transient", "ffprobe printed something that is not JSON");
  }
  const parsed = probedSchema.safeParse(json);
  if (!parsed.success) return mediaFailure("transient", `unexpected ffprobe output: ${parsed.error.message}`);
  return parsed.data.streams.map((stream) => {
    const codec = stream.codec_name ?? "unknown";
    const tag = (name: string) => stream.tags?.[name] ?? stream.tags?.[name.toUpperCase()] ?? null;
    const language = tag("language");
    return {
      index: stream.index,
      codec,
      text: textCodecs.has(codec),
      language: language === null || language === "und" ? null : language,
      title: tag("title"),
      isDefault: stream.disposition?.default === 1,
      forced: stream.disposition?.forced === 1,
    };
  });
}

export async function ffmpegExtractSubtitles(
  input: string,
  outputDir: string,
  config: MediaOutputsConfig,
  signal?: AbortSignal,
): Promise<readonly ExtractedSubtitle[] | MediaFailure> {
  const tracks = await ffmpegSubtitleTracks(input, config, signal);
  if (!Array.isArray(tracks)) return tracks as MediaFailure;
  const extracted = (tracks as readonly SubtitleTrackInfo[])
    .filter((track) => track.text)
    .map((track) => {
      const base = `subtitle-${track.index}${track.language === null ? "" : `.${track.language.replace(/[^A-Za-z0-9-]/g, "")}`}`;
      return { track, vtt: `${base}.vtt`, srt: `${base}.srt` };
    });
  if (extracted.length === 0) return [];
  await mkdir(outputDir, { recursive: true });
  const source = ffmpegInput(input);
  const out = (name: string) => `file:${join(outputDir, name)}`;
  const result = await runOverSource(
    config,
    config.ffmpegPath,
    input,
    [
      ...["-hide_banner", "-nostdin", "-loglevel", "error", "-y"],
      ...["-protocol_whitelist", source.protocolWhitelist, ...source.options, "-i", source.target],
      ...extracted.flatMap(({ track, vtt, srt }) => [
        ...["-map", `0:${track.index}`, "-c:s", "webvtt", "-f", "webvtt", out(vtt)],
        ...["-map", `0:${track.index}`, "-c:s", "srt", "-f", "srt", out(srt)],
      ]),
    ],
    signal,
  );
  if ("_tag" in result) return result;
  if (result.exitCode !== 0) {
    return mediaFailure("transient", `ffmpeg could not extract the subtitles: ${lastLine(result)}`);
  }
  return extracted;
}
