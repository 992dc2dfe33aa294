// Builds the whole encode plan from a profile and a probe of the source: output frame (fit, never
// upscaled by default, square pixels, even sides, upright), constant frame rate, encoder and its
// options, audio from the probe (none when the source has none), and what the output must look like.
import type {
  EncodePlan,
  EncodeProfile,
  EncodeRange,
  ProvenEncoder,
  SourceInfo,
  VideoCodec,
} from "../sdk/encoderPlugin.ts";
import type { ChunkTiming } from "../sdk/splitEncoding.ts";
import { type EncoderRecipe, encoderRecipes } from "./encoderRecipes.ts";
import { ffmpegInput, isRemoteInput } from "./ffmpegInput.ts";
import { gopFrames } from "./keyframeGrid.ts";
import { audioEncoderOf, audioSampleRateOf, containerMismatch, softSubtitlesOf } from "./outputContainer.ts";
import { type ChunkSegment, chunkTimingFilters, encodeChunkOf, planChunk } from "./planChunk.ts";
import { rationalValue } from "./rationalValue.ts";

export interface PlanOptions {
  readonly range?: EncodeRange | undefined;
  /**
   * The worker's choice for the task, in order (the domain's encoder selection): the first is used and
   * the first software one after a hardware first is the run-time fallback. Without it (or when it names
   * nothing this plugin can drive) the codec's software encoder.
   */
  readonly encoders?: readonly ProvenEncoder[] | undefined;
  /**
   * One segment of a split encode (times from the planner, seconds from the source's start): a
   * video-only, frame-exact chunk of the whole encode; `range` is then ignored.
   */
  readonly chunk?: ChunkSegment;
  /** The same, as the planner already timed it (what a worker gets from the task). */
  readonly chunkTiming?: ChunkTiming | undefined;
  /** Threads for the video encoder; its own choice (all cores) when absent. */
  readonly threads?: number;
}

export function planEncode(
  profile: EncodeProfile,
  source: SourceInfo,
  options: PlanOptions = {},
): EncodePlan {
  const mismatch = containerMismatch(profile.container, profile.video.codec, profile.audio?.codec ?? null);
  if (mismatch !== null) throw new RangeError(`profile ${profile.name}: ${mismatch}`);
  const { width, height } = outputFrame(profile.video, source.video);
  const frameRate = outputFrameRate(source.video, profile.video.maxFps);
  const chunk = options.chunk ? planChunk(options.chunk, frameRate) : options.chunkTiming;
  // A timed chunk comes with its segment as the range.
  const requested = options.chunk ?? options.range;
  const range = requested ? clampRange(requested, source.durationSec) : null;
  // Audio is encoded once for the whole source and muxed at stitch time, never per chunk.
  const audio = chunk === undefined && source.audio !== null ? profile.audio : null;
  const sampleRate = audio ? audioSampleRateOf(audio.codec, audio.sampleRate) : 0;
  const { recipe, fallback } = routeRecipes(profile.video.codec, options.encoders ?? []);
  const gop = gopFrames(frameRate, profile.video.keyframeIntervalSec);
  const burnIn = burnInFilters(profile, source, chunk === undefined ? range : null);
  const timing = chunk ? chunkTimingFilters(chunk, frameRate) : [`fps=${frameRate}`];
  const videoWith = (chosen: EncoderRecipe): EncodePlan["video"] => ({
    encoder: chosen.name,
    hardware: chosen.device !== null,
    deviceOptions: chosen.deviceOptions,
    // fps first so frames about to be dropped are never scaled. Subtitles go on while the frames
    // still carry the source's times (a chunk keeps them until its setpts), at the source's size.
    filters: [
      ...(timing[0] === undefined ? [] : [timing[0]]),
      ...burnIn.filters,
      ...timing.slice(1),
      `scale=${width}:${height}`,
      "setsar=1",
      "format=yuv420p",
      ...chosen.uploadFilters,
    ],
    options: [
      ...chosen.options(profile.video, gop),
      // Apple players take HEVC in MP4 only under the hvc1 tag.
      ...(profile.container === "mp4" && profile.video.codec === "hevc" ? [["-tag:v", "hvc1"] as const] : []),
      ...(options.threads === undefined ? [] : [["-threads", String(options.threads)] as const]),
    ],
    frameRate,
    ...(burnIn.overlayStreamIndex === null
      ? {}
      : { overlay: { streamIndex: burnIn.overlayStreamIndex, after: 1 } }),
    ...(burnIn.subtitleTrack === undefined ? {} : { subtitleTrack: burnIn.subtitleTrack }),
  });

  return {
    profileName: profile.name,
    input: {
      url: source.input,
      range,
      videoStreamIndex: source.video.index,
      audioStreamIndex: audio ? (source.audio?.index ?? null) : null,
      ...(chunk === undefined ? {} : { chunk: encodeChunkOf(chunk) }),
    },
    video: videoWith(recipe),
    audio: audio
      ? {
          mode: "encode",
          encoder: audioEncoderOf(audio.codec),
          bitrateKbps: audio.bitrateKbps,
          sampleRate,
          channels: audio.channels,
        }
      : { mode: "none" },
    container: { format: profile.container, faststart: profile.container === "mp4" },
    // Soft subtitles go into a whole encode; a split encode's stitch adds them (chunks are video only).
    ...(chunk === undefined && range === null && (profile.keepSubtitles ?? []).length > 0
      ? {
          subtitles: softSubtitlesOf(profile.container, profile.keepSubtitles ?? []),
        }
      : {}),
    ...(options.threads === undefined ? {} : { threads: options.threads }),
    expected: {
      video: { codec: profile.video.codec, width, height },
      audio: audio ? { codec: audio.codec, channels: audio.channels, sampleRate } : null,
      durationSec: chunk ? chunk.durationSec : range ? range.endSec - range.startSec : source.durationSec,
    },
    ...(fallback === null ? {} : { fallbackVideo: videoWith(fallback) }),
  };
}

/**
 * The profile's burnt-in subtitle: a text track rendered by libass from the source file (`si` counts
 * subtitle streams only) or, for a remote source, from a local copy of the track made before the encode;
 * a bitmap one overlaid from the input. A plain range is read from 0 after its seek, so its frames get the
 * source's times back while the subtitles are drawn.
 */
function burnInFilters(
  profile: EncodeProfile,
  source: SourceInfo,
  range: EncodeRange | null,
): {
  filters: string[];
  overlayStreamIndex: number | null;
  subtitleTrack?: { streamIndex: number; file: string };
} {
  const burnIn = profile.burnInSubtitle;
  if (burnIn === undefined) return { filters: [], overlayStreamIndex: null };
  if (!burnIn.text) return { filters: [], overlayStreamIndex: burnIn.streamIndex };
  const ordinal = (source.subtitleStreamIndexes ?? []).indexOf(burnIn.streamIndex);
  if (ordinal < 0)
    throw new RangeError(`stream ${burnIn.streamIndex} is not a subtitle stream of the source`);
  const remote = isRemoteInput(source.input);
  const subtitles = remote
    ? `subtitles=filename=${filterValue(remoteSubtitleFile)}`
    : `subtitles=filename=${filterValue(ffmpegInput(source.input).target.slice("file:".length))}:si=${ordinal}`;
  const shifted = range !== null && range.startSec > 0;
  return {
    filters: shifted
      ? [`setpts=PTS+${range.startSec.toFixed(6)}/TB`, subtitles, "setpts=PTS-STARTPTS"]
      : [subtitles],
    overlayStreamIndex: null,
    ...(remote ? { subtitleTrack: { streamIndex: burnIn.streamIndex, file: remoteSubtitleFile } } : {}),
  };
}

/** The local copy of a remote source's subtitle track to burn in, in the attempt's folder. */
const remoteSubtitleFile = "burn-in.ass";

/** A filter option's value escaped for both levels ffmpeg unescapes: the option and the graph. */
export function filterValue(value: string): string {
  const option = value.replace(/[\\':]/g, "\\$&");
  return option.replace(/[\\'[\],;]/g, "\\$&");
}

/** The output frame and rate a profile gives a source: what every chunk of a split encode shares. */
export function outputShape(profile: EncodeProfile, source: SourceInfo) {
  return {
    ...outputFrame(profile.video, source.video),
    frameRate: outputFrameRate(source.video, profile.video.maxFps),
  };
}

function clampRange(range: EncodeRange, durationSec: number): EncodeRange {
  const { startSec, endSec } = range;
  if (!(startSec >= 0 && endSec > startSec && startSec < durationSec)) {
    throw new RangeError(`range ${startSec}–${endSec} s is not within the source (0–${durationSec} s)`);
  }
  return { startSec, endSec: Math.min(endSec, durationSec) };
}

function outputFrame(
  video: EncodeProfile["video"],
  source: SourceInfo["video"],
): { width: number; height: number } {
  const [sarNum, sarDen] = source.sampleAspectRatio;
  const storedWidth = (source.width * sarNum) / sarDen;
  const quarterTurn = source.rotation === 90 || source.rotation === 270;
  const displayWidth = quarterTurn ? source.height : storedWidth;
  const displayHeight = quarterTurn ? storedWidth : source.height;
  // "1080p" names the short side: a portrait source fits a portrait frame.
  const portrait = displayHeight > displayWidth;
  const boxWidth = portrait
    ? Math.min(video.maxWidth, video.maxHeight)
    : Math.max(video.maxWidth, video.maxHeight);
  const boxHeight = portrait
    ? Math.max(video.maxWidth, video.maxHeight)
    : Math.min(video.maxWidth, video.maxHeight);
  const fits = displayWidth <= boxWidth && displayHeight <= boxHeight;
  const scale = fits && !video.upscale ? 1 : Math.min(boxWidth / displayWidth, boxHeight / displayHeight);
  // Without upscale no side may grow, not even by the pixel that rounding to even would add.
  const widthLimit = video.upscale ? boxWidth : Math.min(boxWidth, displayWidth);
  const heightLimit = video.upscale ? boxHeight : Math.min(boxHeight, displayHeight);
  return {
    width: nearestEven(displayWidth * scale, widthLimit),
    height: nearestEven(displayHeight * scale, heightLimit),
  };
}

// 4:2:0 needs even sides: the nearest even size within the limit (321×241 → 320×240, 853.3 → 854).
function nearestEven(value: number, limit: number): number {
  return Math.max(2, Math.min(2 * Math.round(value / 2), 2 * Math.floor(limit / 2)));
}

const standardRates = [
  "15/1",
  "24000/1001",
  "24/1",
  "25/1",
  "30000/1001",
  "30/1",
  "50/1",
  "60000/1001",
  "60/1",
];

function outputFrameRate(source: SourceInfo["video"], maxFps: number): string {
  const nominal = rationalValue(source.frameRate);
  // r_frame_rate is the base rate every timestamp fits on; when it is a timebase (1000/1, 90000/1)
  // rather than a rate, the nearest standard rate to the average is the honest guess.
  const base =
    nominal > 0 && nominal <= 120
      ? source.frameRate
      : nearestStandardRate(rationalValue(source.avgFrameRate));
  const baseValue = rationalValue(base);
  if (baseValue <= maxFps) return base;
  // Divide by a whole number so motion stays even: 59.94 → 29.97, 50 → 25, 120 → 60 (or 30).
  const divisor = Math.ceil(baseValue / maxFps - 1e-9);
  const [num, den] = rationalParts(base);
  return reduced(num, den * divisor);
}

function nearestStandardRate(fps: number): string {
  let best = standardRates[0] ?? "30/1";
  for (const rate of standardRates) {
    if (Math.abs(rationalValue(rate) - fps) < Math.abs(rationalValue(best) - fps)) best = rate;
  }
  return best;
}

/** The recipes of the worker's choice: which encoder leads, and the software one a failed GPU hands over to. */
function routeRecipes(
  codec: VideoCodec,
  route: readonly ProvenEncoder[],
): { recipe: EncoderRecipe; fallback: EncoderRecipe | null } {
  const recipes = route.flatMap(
    (chosen) =>
      encoderRecipes.find(
        (r) => r.name === chosen.name && r.codec === codec && (r.device !== null) === chosen.hardware,
      ) ?? [],
  );
  const recipe = recipes[0] ?? encoderRecipes.find((r) => r.codec === codec && r.device === null);
  if (!recipe) throw new Error(`no encoder known for codec ${codec}`);
  const fallback = recipe.device === null ? null : (recipes.find((r) => r.device === null) ?? null);
  return { recipe, fallback };
}

function rationalParts(rational: string): [number, number] {
  const [num, den] = rational.split("/").map(Number);
  return [num ?? 0, den ?? 1];
}

function reduced(num: number, den: number): string {
  let a = num;
  let b = den;
  while (b !== 0) [a, b] = [b, a % b];
  return `${num / a}/${den / a}`;
}
