// Checks an audio encode (a split's audio, an audio-only output) before it gets its final name.
import type { AudioTrackInfo } from "../sdk/encoderPlugin.ts";
import { probeAudioTracks } from "./probeAudioTracks.ts";
import type { Verification } from "./verifyOutput.ts";

/** The audio encode holds every source track, each as long as the source within 1 % (at least 0.2 s). */
export async function verifyAudioEncode(
  outputPath: string,
  sourceTracks: readonly AudioTrackInfo[],
  sourceDurationSec: number,
  ffprobePath: string,
): Promise<Verification> {
  const probed = await probeAudioTracks(outputPath, { ffprobePath });
  if (!Array.isArray(probed)) return { ok: false, reason: "the audio encode cannot be read back" };
  const tracks = probed as readonly AudioTrackInfo[];
  if (tracks.length !== sourceTracks.length) {
    return { ok: false, reason: `${tracks.length} audio tracks, expected ${sourceTracks.length}` };
  }
  const longest = Math.max(...tracks.map((track) => track.durationSec ?? 0));
  const expected = Math.max(...sourceTracks.map((track) => track.durationSec ?? sourceDurationSec));
  const tolerance = Math.max(0.2, expected * 0.01);
  if (Math.abs(longest - expected) > tolerance) {
    return { ok: false, reason: `audio lasts ${longest.toFixed(3)} s, expected ${expected.toFixed(3)} s` };
  }
  return { ok: true, durationSec: longest };
}
