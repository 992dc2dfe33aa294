// A stored profile (or one rung of its ladder) as the encoder plans it. A tier takes its frame, rates
// and codec over the profile's; every tier, and every profile that is packaged, keeps its keyframes on
// one grid so segments of every rendition start at the same times.
import type { LadderTier, ProfileSpec } from "../../schemas/profiles/profileSpec.ts";
import type { EncodeProfile, VideoCodec } from "./encoderPlugin.ts";

export function encodeProfileOf(spec: ProfileSpec, tier?: LadderTier): EncodeProfile {
  const codec = tier?.codec ?? spec.video.codec;
  const sameCodec = codec === spec.video.codec;
  const { profile, level } = spec.video;
  return {
    name: tier === undefined ? spec.name : `${spec.name} ${tier.name}`,
    video: {
      codec,
      maxWidth: tier?.maxWidth ?? spec.video.maxWidth,
      maxHeight: tier?.maxHeight ?? spec.video.maxHeight,
      bitrateKbps: tier?.bitrateKbps ?? spec.video.bitrateKbps,
      maxrateKbps: tier?.maxrateKbps ?? spec.video.maxrateKbps,
      bufsizeKbps: tier?.bufsizeKbps ?? spec.video.bufsizeKbps,
      preset: presetFor(codec, spec.video.preset),
      // A codec profile names one codec's; a level fits one frame size, not a tier's.
      ...(profile !== undefined && sameCodec ? { profile } : {}),
      ...(level !== undefined && sameCodec && tier === undefined ? { level } : {}),
      maxFps: spec.video.maxFps,
      keyframeIntervalSec: spec.video.keyframeIntervalSec,
      ...(spec.video.upscale === undefined ? {} : { upscale: spec.video.upscale }),
      alignedKeyframes: tier !== undefined || spec.packaging !== null,
    },
    audio: spec.audio,
    container: spec.container,
    hardware: spec.hardware,
    maxAttempts: spec.maxAttempts,
    ...(spec.segmentBounds === undefined ? {} : { segmentBounds: spec.segmentBounds }),
  };
}

// x264/x265 preset names and SVT-AV1's numbers (0 slowest … 13 fastest), each on the other's scale.
const svtByName: Readonly<Record<string, number>> = {
  ultrafast: 12,
  superfast: 11,
  veryfast: 10,
  faster: 9,
  fast: 8,
  medium: 6,
  slow: 5,
  slower: 4,
  veryslow: 2,
  placebo: 1,
};

/** The profile's preset in the terms of the codec's encoder (libvpx takes either; see encoderRecipes). */
export function presetFor(codec: VideoCodec, preset: string): string {
  const number = Number(preset);
  const numeric = preset.trim() !== "" && Number.isInteger(number);
  if (codec === "av1") return numeric ? preset : String(svtByName[preset] ?? 8);
  if (codec === "vp9" || !numeric) return preset;
  // A number for x264/x265: the name whose SVT-AV1 number is nearest.
  let best = "medium";
  for (const [name, svt] of Object.entries(svtByName)) {
    if (Math.abs(svt - number) < Math.abs((svtByName[best] ?? 6) - number)) best = name;
  }
  return best;
}
