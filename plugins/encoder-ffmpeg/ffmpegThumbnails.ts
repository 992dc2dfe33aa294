// Thumbnails in one ffmpeg pass over the source: a JPEG every `intervalSec`, a poster (the most
// representative of the not-black frames in the first tenth, by ffmpeg's thumbnail filter), and when
// asked a sprite sheet (tile filter) with a WebVTT storyboard for seek previews. ffmpeg turns rotated
// sources upright; sizes follow the display aspect (rotation and sample aspect ratio).
import { copyFile, mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { VideoStreamInfo } from "../sdk/encoderPlugin.ts";
import type { MediaFailure, ThumbnailRequest, Thumbnails } from "../sdk/mediaOutputs.ts";
import { ffmpegInput } from "./ffmpegInput.ts";
import {
  lastLine,
  type MediaOutputsConfig,
  mediaFailure,
  probeFailureAsMedia,
  runOverSource,
} from "./mediaOutputsConfig.ts";
import { probeMedia } from "./probeMedia.ts";
import { type SpriteLayout, storyboardVtt } from "./storyboardVtt.ts";

const maxColumns = 10;
const maxRows = 10;
const posterMaxWidth = 1280;
/** Mean luma (0–255) at or under which a frame counts as black for the poster. */
const blackLuma = 24;

export async function ffmpegThumbnails(
  request: ThumbnailRequest,
  config: MediaOutputsConfig,
): Promise<Thumbnails | MediaFailure> {
  if (!(request.intervalSec > 0) || !(request.width >= 2)) {
    return mediaFailure("input", "thumbnails need an interval above 0 s and a width of at least 2 pixels");
  }
  const source = await probeMedia(request.input, {
    ffprobePath: config.ffprobePath,
    ...(config.egress === undefined ? {} : { egress: config.egress }),
  });
  if (source._tag === "ProbeFailure") return probeFailureAsMedia(source);
  const durationSec = request.durationSec > 0 ? request.durationSec : source.durationSec;
  const { width, height } = displaySize(source.video, request.width);
  const poster = displaySize(source.video, Math.min(posterMaxWidth, displayWidthOf(source.video)));
  const expected = Math.max(1, Math.ceil(durationSec / request.intervalSec - 1e-6));
  const columns = Math.min(maxColumns, expected);
  const layout: SpriteLayout = {
    columns,
    rows: Math.min(maxRows, Math.ceil(expected / columns)),
    width,
    height,
  };
  // The first tenth, at least 5 s and at most half a minute, at 4 frames a second.
  const posterWindowSec = Math.min(30, Math.max(5, durationSec / 10));
  const posterChain = (fps: string) =>
    `fps=${fps},scale=${poster.width}:${poster.height},setsar=1,signalstats,` +
    `metadata=mode=select:key=lavfi.signalstats.YAVG:value=${blackLuma}:function=greater,thumbnail=1000`;
  // round=up: thumbnail k is the last frame at or before k·interval, not one from the slot after.
  const thumbs = `fps=1/${request.intervalSec}:round=up,scale=${width}:${height},setsar=1`;
  const graph = [
    `[0:v:0]split=2[thumbs][poster]`,
    request.storyboard ? `[thumbs]${thumbs},split=2[each][sheet]` : `[thumbs]${thumbs}[each]`,
    ...(request.storyboard ? [`[sheet]tile=${layout.columns}x${layout.rows}[sprites]`] : []),
    `[poster]trim=end=${posterWindowSec.toFixed(3)},${posterChain("4")}[best]`,
  ].join(";");

  await mkdir(request.outputDir, { recursive: true });
  const out = (name: string) => `file:${join(request.outputDir, name)}`;
  const input = ffmpegInput(request.input);
  const result = await runOverSource(
    config,
    config.ffmpegPath,
    request.input,
    [
      ...["-hide_banner", "-nostdin", "-loglevel", "error", "-y"],
      ...["-protocol_whitelist", input.protocolWhitelist, ...input.options, "-i", input.target],
      ...["-filter_complex", graph],
      ...["-map", "[each]", "-q:v", "3", "-start_number", "0", "-f", "image2", out("thumb-%05d.jpg")],
      ...(request.storyboard
        ? ["-map", "[sprites]", "-q:v", "4", "-start_number", "0", "-f", "image2", out("sprite-%d.jpg")]
        : []),
      ...["-map", "[best]", "-frames:v", "1", "-q:v", "2", "-update", "1", "-f", "image2", out("poster.jpg")],
    ],
    request.signal,
  );
  if ("_tag" in result) return result;
  if (result.exitCode !== 0) {
    return mediaFailure("transient", `ffmpeg could not make the thumbnails: ${lastLine(result)}`);
  }

  const names = await readdir(request.outputDir);
  const thumbnails = names
    .filter((n) => /^thumb-\d{5}\.jpg$/.test(n))
    .sort()
    .map((path, i) => ({ path, timeSec: i * request.intervalSec }))
    // fps may round one frame past the end; a thumbnail shows a time inside the source.
    .filter((t, i) => i === 0 || t.timeSec < durationSec);
  const first = thumbnails[0];
  if (first === undefined) return mediaFailure("input", "the source gave no frame to make a thumbnail of");
  if (!names.includes("poster.jpg")) {
    // Every frame of the first tenth is black: look over the whole source (a few hundred frames of it).
    const wider = await runOverSource(
      config,
      config.ffmpegPath,
      request.input,
      [
        ...["-hide_banner", "-nostdin", "-loglevel", "error", "-y"],
        ...["-protocol_whitelist", input.protocolWhitelist, ...input.options, "-i", input.target],
        ...["-map", "0:v:0", "-vf", posterChain(`1/${Math.max(1, durationSec / 300).toFixed(3)}`)],
        ...["-frames:v", "1", "-q:v", "2", "-update", "1", "-f", "image2", out("poster.jpg")],
      ],
      request.signal,
    );
    if ("_tag" in wider) return wider;
    // A black video still gets a poster: its first thumbnail.
    if (!(await readdir(request.outputDir)).includes("poster.jpg")) {
      await copyFile(join(request.outputDir, first.path), join(request.outputDir, "poster.jpg"));
    }
  }

  let storyboard: Thumbnails["storyboard"] = null;
  if (request.storyboard) {
    const perSheet = layout.columns * layout.rows;
    const sprites = Array.from(
      { length: Math.ceil(thumbnails.length / perSheet) },
      (_, i) => `sprite-${i}.jpg`,
    );
    const missing = sprites.find((s) => !names.includes(s));
    if (missing !== undefined) return mediaFailure("transient", `ffmpeg did not write ${missing}`);
    const vtt = "storyboard.vtt";
    await writeFile(
      join(request.outputDir, vtt),
      storyboardVtt(
        thumbnails.map((t) => t.timeSec),
        durationSec,
        layout,
        (sheet) => sprites[sheet] ?? "",
      ),
    );
    storyboard = { vtt, sprites };
  }
  return { _tag: "Thumbnails", poster: "poster.jpg", thumbnails, storyboard, width, height };
}

function displayWidthOf(video: VideoStreamInfo): number {
  const [num, den] = video.sampleAspectRatio;
  const stored = (video.width * num) / den;
  return video.rotation === 90 || video.rotation === 270 ? video.height : stored;
}

/** `width` (even) and the even height that keeps the source's display aspect. */
function displaySize(video: VideoStreamInfo, width: number): { width: number; height: number } {
  const [num, den] = video.sampleAspectRatio;
  const stored = (video.width * num) / den;
  const quarterTurn = video.rotation === 90 || video.rotation === 270;
  const displayWidth = quarterTurn ? video.height : stored;
  const displayHeight = quarterTurn ? stored : video.height;
  const even = (value: number) => Math.max(2, 2 * Math.round(value / 2));
  return { width: even(width), height: even((width * displayHeight) / displayWidth) };
}
