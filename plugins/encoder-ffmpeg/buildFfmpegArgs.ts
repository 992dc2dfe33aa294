import type { EncodePlan } from "../sdk/encoderPlugin.ts";
import { ffmpegInput } from "./ffmpegInput.ts";
import { muxerOf } from "./outputContainer.ts";

/** The ffmpeg command line for a plan, writing to `outputPath` (a local file). */
export function buildFfmpegArgs(plan: EncodePlan, outputPath: string): string[] {
  const input = ffmpegInput(plan.input.url);
  const chunk = plan.input.chunk;
  // A chunk seeks decode-accurately and counts its frames (see planEncode); a plain range cuts by time.
  const range = chunk === undefined ? plan.input.range : null;
  const seconds = (value: number) => value.toFixed(6);
  return [
    "-hide_banner",
    "-nostdin",
    "-loglevel",
    "warning",
    "-progress",
    "pipe:1",
    "-stats_period",
    "0.5",
    "-y",
    // a worker given N threads keeps decoder and filters to N as well, not only the encoder
    ...(plan.threads === undefined ? [] : ["-filter_threads", String(plan.threads)]),
    ...plan.video.deviceOptions,
    "-protocol_whitelist",
    input.protocolWhitelist,
    ...input.options,
    ...(chunk ? ["-copyts", ...(chunk.seekSec > 0 ? ["-ss", seconds(chunk.seekSec)] : [])] : []),
    ...(range ? ["-ss", seconds(range.startSec)] : []),
    ...(plan.threads === undefined ? [] : ["-threads", String(plan.threads)]),
    "-i",
    input.target,
    ...(range ? ["-t", seconds(range.endSec - range.startSec)] : []),
    ...(chunk?.frameCount != null ? ["-frames:v", String(chunk.frameCount)] : []),
    ...videoGraph(plan),
    ...(plan.audio.mode === "encode" && plan.input.audioStreamIndex !== null
      ? ["-map", `0:${plan.input.audioStreamIndex}`]
      : []),
    "-fps_mode",
    "cfr",
    "-c:v",
    plan.video.encoder,
    ...plan.video.options.flat(),
    ...(plan.audio.mode === "encode"
      ? [
          "-c:a",
          plan.audio.encoder,
          "-b:a",
          `${plan.audio.bitrateKbps}k`,
          "-ar",
          String(plan.audio.sampleRate),
          "-ac",
          String(plan.audio.channels),
        ]
      : ["-an"]),
    "-sn",
    "-dn",
    // Sparse or late audio must not make the muxer give up.
    "-max_muxing_queue_size",
    "1024",
    ...(plan.container.faststart ? ["-movflags", "+faststart"] : []),
    "-f",
    muxerOf(plan.container.format),
    `file:${outputPath}`,
  ];
}

/** The video's filters: a plain chain, or a graph that lays a bitmap subtitle stream over the picture. */
function videoGraph(plan: EncodePlan): string[] {
  const { filters, overlay } = plan.video;
  const video = `0:${plan.input.videoStreamIndex}`;
  if (overlay === undefined) return ["-map", video, "-vf", filters.join(",")];
  const before = filters.slice(0, overlay.after);
  const after = filters.slice(overlay.after);
  const graph = [
    `[${video}]${before.length > 0 ? before.join(",") : "null"}[picture]`,
    // A subtitle that ends leaves the picture as it is; the picture's end ends the stream.
    `[picture][0:${overlay.streamIndex}]overlay=eof_action=pass:repeatlast=0${after.length > 0 ? `,${after.join(",")}` : ""}[video]`,
  ].join(";");
  return ["-filter_complex", graph, "-map", "[video]"];
}
