import type { EncodePlan, SoftSubtitles } from "../sdk/encoderPlugin.ts";
import { ffmpegInput } from "./ffmpegInput.ts";
import { muxerOf } from "./outputContainer.ts";

/** The ffmpeg command line for a plan, writing to `outputPath` (a local file). */
export function buildFfmpegArgs(plan: EncodePlan, outputPath: string): string[] {
  return [...inputArgs(plan), ...outputArgs(plan, videoGraph(plan), outputPath)];
}

/**
 * One command line for several plans over the same input and cut (see `sharesOneDecode`): the source is
 * decoded once and split to each plan's own filter chain, encoder and file, as a one-command ladder.
 */
export function buildLadderArgs(plans: readonly EncodePlan[], outputPaths: readonly string[]): string[] {
  const [first] = plans;
  if (first === undefined || plans.length !== outputPaths.length)
    throw new TypeError("a ladder needs one output path per plan");
  const graph = [
    `[0:${first.input.videoStreamIndex}]split=${plans.length}${plans.map((_, i) => `[in${i}]`).join("")}`,
    ...plans.map((plan, i) => `[in${i}]${plan.video.filters.join(",") || "null"}[out${i}]`),
  ].join(";");
  return [
    ...inputArgs(first),
    ...(first.threads === undefined ? [] : ["-filter_complex_threads", String(first.threads)]),
    "-filter_complex",
    graph,
    ...plans.flatMap((plan, i) => outputArgs(plan, ["-map", `[out${i}]`], outputPaths[i]!)),
  ];
}

/**
 * Whether plans can share one decode: the same source, cut and threads, software encoders only (a device
 * is set up per input), and nothing of the input but its video (no audio, no subtitles laid over).
 */
export function sharesOneDecode(plans: readonly EncodePlan[]): boolean {
  const [first] = plans;
  if (first === undefined) return false;
  const cut = (plan: EncodePlan) => JSON.stringify([plan.input.range, plan.input.chunk ?? null]);
  return plans.every(
    (plan) =>
      plan.input.url === first.input.url &&
      plan.input.videoStreamIndex === first.input.videoStreamIndex &&
      cut(plan) === cut(first) &&
      plan.threads === first.threads &&
      !plan.video.hardware &&
      plan.video.deviceOptions.length === 0 &&
      plan.video.overlay === undefined &&
      plan.video.subtitleTrack === undefined &&
      plan.audio.mode === "none",
  );
}

/**
 * The command that copies a remote source's text subtitle track into the attempt's folder (run there)
 * as ASS, keeping its styling, for the encode's libass to draw from.
 */
export function subtitleTrackArgs(plan: EncodePlan): string[] | null {
  const track = plan.video.subtitleTrack;
  if (track === undefined) return null;
  const input = ffmpegInput(plan.input.url);
  return [
    ...["-hide_banner", "-nostdin", "-loglevel", "error", "-y"],
    ...["-protocol_whitelist", input.protocolWhitelist, ...input.options, "-i", input.target],
    ...["-map", `0:${track.streamIndex}`, "-c:s", "ass", "-f", "ass", `file:${track.file}`],
  ];
}

/** Everything up to the input: logging, progress, threads, device set-up, the seek and the source. */
function inputArgs(plan: EncodePlan): string[] {
  const input = ffmpegInput(plan.input.url);
  const chunk = plan.input.chunk;
  // A chunk seeks decode-accurately and counts its frames (see planEncode); a plain range cuts by time.
  const range = chunk === undefined ? plan.input.range : null;
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
  ];
}

const seconds = (value: number) => value.toFixed(6);

/** One output: its length, its video (`video`: how it is mapped), audio, subtitles, container and file. */
function outputArgs(plan: EncodePlan, video: readonly string[], outputPath: string): string[] {
  const chunk = plan.input.chunk;
  const range = chunk === undefined ? plan.input.range : null;
  return [
    ...(range ? ["-t", seconds(range.endSec - range.startSec)] : []),
    ...(chunk?.frameCount != null ? ["-frames:v", String(chunk.frameCount)] : []),
    ...video,
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
    ...softSubtitleArgs(plan.subtitles, 0),
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

/** Maps the kept subtitle streams of input `input` in the container's codec; `-sn` when none are kept. */
export function softSubtitleArgs(subtitles: SoftSubtitles | undefined, input: number): string[] {
  if (subtitles === undefined || subtitles.tracks.length === 0) return ["-sn"];
  return [
    ...subtitles.tracks.flatMap((track) => ["-map", `${input}:${track.streamIndex}`]),
    ...subtitles.tracks.flatMap((track, i) => [`-c:s:${i}`, track.codec]),
  ];
}
