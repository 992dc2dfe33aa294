// Which tiers of an ABR ladder a source gets: the enabled ones, top first, none above the source's own
// size (a tier never upscales). A source smaller than every tier still gets one rendition, the lowest tier,
// at the source's own size.
import type { LadderTier } from "../../schemas/profiles/profileSpec.ts";

/** The source's frame as shown: after rotation and sample aspect ratio. */
export interface DisplaySize {
  readonly width: number;
  readonly height: number;
}

/** A tier fits when its frame, turned to the source's orientation, is no bigger than the source. */
const fits = (tier: LadderTier, source: DisplaySize): boolean => {
  const portrait = source.height > source.width;
  const [boxShort, boxLong] = [
    Math.min(tier.maxWidth, tier.maxHeight),
    Math.max(tier.maxWidth, tier.maxHeight),
  ];
  const [short, long] = portrait ? [source.width, source.height] : [source.height, source.width];
  // Either side within the box's: a 4:3 source 1440×1080 fits a 1920×1080 tier.
  return boxShort <= short || boxLong <= long;
};

export function planLadder(tiers: readonly LadderTier[], source: DisplaySize): LadderTier[] {
  const enabled = tiers.filter((tier) => tier.enabled);
  const kept = enabled.filter((tier) => fits(tier, source));
  if (kept.length > 0) return kept;
  const lowest = enabled.at(-1);
  return lowest === undefined ? [] : [lowest];
}
