import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { LadderTier } from "../../schemas/profiles/profileSpec.ts";
import { planLadder } from "./planLadder.ts";

const tier = (name: string, maxWidth: number, maxHeight: number, bitrateKbps: number): LadderTier => ({
  name,
  maxWidth,
  maxHeight,
  bitrateKbps,
  maxrateKbps: Math.round(bitrateKbps * 1.1),
  bufsizeKbps: bitrateKbps * 2,
  enabled: true,
});
const threeTiers = [
  tier("1080p", 1920, 1080, 5000),
  tier("720p", 1280, 720, 2500),
  tier("480p", 854, 480, 1000),
];
const names = (tiers: readonly LadderTier[]) => tiers.map((t) => t.name);

describe("planLadder", () => {
  it("keeps every enabled tier of a source as large as the top one", () => {
    expect(names(planLadder(threeTiers, { width: 1920, height: 1080 }))).toEqual(["1080p", "720p", "480p"]);
  });

  it("drops the tiers above the source's size, in landscape and in portrait", () => {
    expect(names(planLadder(threeTiers, { width: 1280, height: 720 }))).toEqual(["720p", "480p"]);
    expect(names(planLadder(threeTiers, { width: 720, height: 1280 }))).toEqual(["720p", "480p"]);
    expect(names(planLadder(threeTiers, { width: 1440, height: 1080 }))).toEqual(["1080p", "720p", "480p"]);
  });

  it("leaves disabled tiers out", () => {
    const tiers = threeTiers.map((t) => (t.name === "720p" ? { ...t, enabled: false } : t));
    expect(names(planLadder(tiers, { width: 1920, height: 1080 }))).toEqual(["1080p", "480p"]);
  });

  it("gives a source smaller than every tier one rendition: the lowest tier, which never upscales", () => {
    expect(names(planLadder(threeTiers, { width: 320, height: 240 }))).toEqual(["480p"]);
  });

  it("never keeps a tier above the source unless it is the only one, and keeps the order", () =>
    fc.assert(
      fc.property(
        fc.integer({ min: 16, max: 4000 }),
        fc.integer({ min: 16, max: 4000 }),
        fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
        (width, height, enabled) => {
          const tiers = threeTiers.map((t, i) => ({ ...t, enabled: enabled[i] ?? true }));
          const kept = planLadder(tiers, { width, height });
          const anyEnabled = tiers.some((t) => t.enabled);
          expect(kept.length > 0).toBe(anyEnabled);
          expect(kept.every((t) => t.enabled)).toBe(true);
          const order = names(tiers);
          expect(names(kept)).toEqual([...names(kept)].sort((a, b) => order.indexOf(a) - order.indexOf(b)));
          if (kept.length > 1) {
            const short = Math.min(width, height);
            const long = Math.max(width, height);
            for (const t of kept)
              expect(
                Math.min(t.maxWidth, t.maxHeight) <= short || Math.max(t.maxWidth, t.maxHeight) <= long,
              ).toBe(true);
          }
        },
      ),
    ));
});
