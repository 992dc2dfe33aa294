// The audio half of a split encode: one AAC encode of every audio track of the whole source, per the
// profile; null when the source has no audio, so the stitched output has none either.
import type { AudioEncodePlan, AudioTrackInfo, EncodeProfile } from "../sdk/encoderPlugin.ts";

export function planAudio(
  profile: EncodeProfile,
  input: string,
  tracks: readonly AudioTrackInfo[],
): AudioEncodePlan | null {
  if (tracks.length === 0) return null;
  return {
    profileName: profile.name,
    input: { url: input },
    tracks,
    encoder: profile.audio.codec,
    bitrateKbps: profile.audio.bitrateKbps,
    sampleRate: profile.audio.sampleRate,
    channels: profile.audio.channels,
    container: { format: profile.container, faststart: true },
  };
}
