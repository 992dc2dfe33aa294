// The audio half of a split encode: one AAC or Opus encode of every audio track of the whole source, per the
// profile; null when the source or the profile has no audio, so the stitched output has none either.
import type { AudioEncodePlan, AudioTrackInfo, EncodeProfile } from "../sdk/encoderPlugin.ts";
import { audioEncoderOf, audioSampleRateOf } from "./outputContainer.ts";

export function planAudio(
  profile: EncodeProfile,
  input: string,
  tracks: readonly AudioTrackInfo[],
): AudioEncodePlan | null {
  const audio = profile.audio;
  if (tracks.length === 0 || audio === null) return null;
  return {
    profileName: profile.name,
    input: { url: input },
    tracks,
    encoder: audioEncoderOf(audio.codec),
    bitrateKbps: audio.bitrateKbps,
    sampleRate: audioSampleRateOf(audio.codec, audio.sampleRate),
    channels: audio.channels,
    container: { format: profile.container, faststart: profile.container === "mp4" },
  };
}
