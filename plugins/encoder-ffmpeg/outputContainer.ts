// How a profile's container and audio codec are named on ffmpeg's command line, and which codecs
// each container can carry (WebM takes only VP9/AV1 with Opus).
import type { AudioCodec, AudioEncoderName, Container, VideoCodec } from "../sdk/encoderPlugin.ts";

/** ffmpeg's muxer for a container. */
export const muxerOf = (container: Container): string => (container === "mkv" ? "matroska" : container);

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
