import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { balanceSegments } from "./balanceSegments.ts";
import { defaultSegmentBounds, planSegments } from "./planSegments.ts";

describe("balanceSegments", () => {
  it("aims at a multiple of the workers nearest the target: 120 s on 2 workers is 2 chunks of 60 s, not 3 of 40", () => {
    expect(balanceSegments(defaultSegmentBounds, 120, 2).targetSec).toBe(60);
    expect(balanceSegments(defaultSegmentBounds, 120, 4).targetSec).toBe(30);
    expect(balanceSegments(defaultSegmentBounds, 600, 4).targetSec).toBe(600 / 12);
  });

  it("keeps the bounds when one worker takes everything, or no multiple fits them", () => {
    expect(balanceSegments(defaultSegmentBounds, 120, 1)).toEqual(defaultSegmentBounds);
    expect(balanceSegments(defaultSegmentBounds, 25, 4)).toEqual(defaultSegmentBounds);
  });

  it("plans a multiple of the workers on a source with a keyframe every frame, within the bounds", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 8 }), fc.integer({ min: 60, max: 1200 }), (workers, seconds) => {
        const balanced = balanceSegments(defaultSegmentBounds, seconds, workers);
        if (balanced === defaultSegmentBounds) return;
        const times = Array.from({ length: seconds * 2 }, (_, i) => i / 2);
        const segments = planSegments(
          { durationSec: seconds, frameTimesSec: times, keyframeTimesSec: times },
          balanced,
        );
        if (!Array.isArray(segments)) throw new Error("bounds refused");
        expect(segments.length % workers).toBe(0);
        for (const s of segments) {
          expect(s.endSec - s.startSec).toBeGreaterThanOrEqual(defaultSegmentBounds.minSec);
          expect(s.endSec - s.startSec).toBeLessThanOrEqual(defaultSegmentBounds.maxSec);
        }
      }),
      { numRuns: 200 },
    );
  });
});
