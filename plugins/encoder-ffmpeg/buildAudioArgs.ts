// The ffmpeg command line of an audio plan: every planned track, in order, encoded to AAC with its
// language, title and default flag written explicitly (ffmpeg would otherwise make the first track
// the default and may drop tags), no video, no subtitles, no data.
import type { AudioEncodePlan } from "../sdk/encoderPlugin.ts";
import { ffmpegInput } from "./ffmpegInput.ts";
import { muxerOf } from "./outputContainer.ts";

export function buildAudioArgs(plan: AudioEncodePlan, outputPath: string): string[] {
  const input = ffmpegInput(plan.input.url);
  const anyDefault = plan.tracks.some((t) => t.isDefault);
  return [
    "-hide_banner",
    "-nostdin",
    "-loglevel",
    "warning",
    "-y",
    "-protocol_whitelist",
    input.protocolWhitelist,
    ...input.options,
    "-i",
    input.target,
    ...plan.tracks.flatMap((t) => ["-map", `0:${t.index}`]),
    "-vn",
    "-sn",
    "-dn",
    // Global tags (encoder names, the source's title) are not the audio's to carry.
    "-map_metadata",
    "-1",
    "-c:a",
    plan.encoder,
    "-b:a",
    `${plan.bitrateKbps}k`,
    "-ar",
    String(plan.sampleRate),
    "-ac",
    String(plan.channels),
    ...plan.tracks.flatMap((t, i) => [
      `-metadata:s:a:${i}`,
      `language=${t.language ?? "und"}`,
      ...(t.title === null ? [] : [`-metadata:s:a:${i}`, `title=${t.title}`]),
      `-disposition:a:${i}`,
      // A source that marks none still gets one default track, the first, as players expect.
      t.isDefault || (!anyDefault && i === 0) ? "default" : "0",
    ]),
    ...(plan.container.faststart ? ["-movflags", "+faststart"] : []),
    "-f",
    muxerOf(plan.container.format),
    `file:${outputPath}`,
  ];
}
