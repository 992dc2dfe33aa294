// Checks an encoded file before anyone may use it: the streams the plan promised (and no audio
// when none was promised), the frame size, upright, and the duration within max(0.1 s, 1 %).
import type { ExpectedOutput } from "../sdk/encoderPlugin.ts";
import { probeMedia } from "./probeMedia.ts";

export type Verification =
  | { readonly ok: true; readonly durationSec: number }
  | { readonly ok: false; readonly reason: string };

export async function verifyOutput(
  path: string,
  expected: ExpectedOutput,
  options: { readonly ffprobePath: string },
): Promise<Verification> {
  const probed = await probeMedia(path, { ffprobePath: options.ffprobePath });
  if (probed._tag === "ProbeFailure") return { ok: false, reason: `output unreadable: ${probed.message}` };
  const { video, audio, durationSec } = probed;

  if (video.codec !== expected.video.codec) {
    return { ok: false, reason: `video codec ${video.codec}, expected ${expected.video.codec}` };
  }
  if (
    video.width !== expected.video.width ||
    video.height !== expected.video.height ||
    video.rotation !== 0
  ) {
    return {
      ok: false,
      reason: `video ${video.width}×${video.height} rotated ${video.rotation}°, expected ${expected.video.width}×${expected.video.height} upright`,
    };
  }
  if (expected.audio === null && audio !== null) return { ok: false, reason: "audio present, none expected" };
  if (expected.audio !== null && (audio === null || audio.codec !== expected.audio.codec)) {
    return { ok: false, reason: `audio ${audio?.codec ?? "missing"}, expected ${expected.audio.codec}` };
  }
  const tolerance = Math.max(0.1, expected.durationSec * 0.01);
  if (Math.abs(durationSec - expected.durationSec) > tolerance) {
    return {
      ok: false,
      reason: `duration ${durationSec.toFixed(3)} s, expected ${expected.durationSec.toFixed(3)} s ± ${tolerance.toFixed(3)}`,
    };
  }
  return { ok: true, durationSec };
}
