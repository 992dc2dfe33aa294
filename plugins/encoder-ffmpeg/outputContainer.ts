// How a profile's container and audio codec are named on ffmpeg's command line, and which codecs
// each container can carry (WebM takes only VP9/AV1 with Opus).
import type {
  AudioCodec,
  AudioEncoderName,
  Container,
  KeptSubtitle,
  SoftSubtitles,
  VideoCodec,
} from "../sdk/encoderPlugin.ts";

/** ffmpeg's muxer for a container. */
export const muxerOf = (container: Container): string => (container === "mkv" ? "matroska" : container);

/** Subtitle codecs Matroska carries as they are (text and bitmap); others (mov_text) become SubRip. */
const MATROSKA_SUBTITLES = new Set([
  "subrip",
  "ass",
  "ssa",
  "webvtt",
  "hdmv_pgs_subtitle",
  "dvd_subtitle",
  "dvb_subtitle",
]);

/** How a container keeps soft subtitles: MP4 as mov_text, WebM as WebVTT, Matroska as the source has them. */
export function softSubtitlesOf(container: Container, kept: readonly KeptSubtitle[]): SoftSubtitles {
  const codecOf = (source: string) =>
    container === "mp4"
      ? "mov_text"
      : container === "webm"
        ? "webvtt"
        : MATROSKA_SUBTITLES.has(source)
          ? "copy"
          : "srt";
  return { tracks: kept.map((track) => ({ streamIndex: track.streamIndex, codec: codecOf(track.codec) })) };
}

export const audioEncoderOf = (codec: AudioCodec): AudioEncoderName => (codec === "opus" ? "libopus" : "aac");

/** Opus runs at 48 kHz only; AAC keeps the profile's rate. */
export const audioSampleRateOf = (codec: AudioCodec, sampleRate: number): number =>
  codec === "opus" ? 48_000 : sampleRate;

/** Why the container cannot hold these codecs; null when it can. */
export function containerMismatch(
  container: Container,
  video: VideoCodec | null,
  audio: AudioCodec | null,
): string | null {
  if (container !== "webm") return null;
  if (video !== null && video !== "vp9" && video !== "av1") {
    return `WebM holds VP9 or AV1 video, not ${video}`;
  }
  if (audio !== null && audio !== "opus") return `WebM holds Opus audio, not ${audio}`;
  return null;
}
