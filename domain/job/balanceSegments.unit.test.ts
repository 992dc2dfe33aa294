import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { balanceSegments, evenCuts } from "./balanceSegments.ts";
import { longestFirst } from "./longestFirst.ts";
import {
  defaultSegmentBounds,
  type PlannedSegment,
  planSegments,
  type SegmentSource,
} from "./planSegments.ts";

/** `seconds` at `fps`, a keyframe every `gop` frames. */
function sourceOf(seconds: number, fps: number, gop: number): SegmentSource {
  const frameTimesSec = Array.from({ length: Math.round(seconds * fps) }, (_, i) => i / fps);
  return {
    durationSec: seconds,
    frameTimesSec,
    keyframeTimesSec: frameTimesSec.filter((_, i) => i % gop === 0),
  };
}

/**
 * When the last worker is done: chunks longest first, each to the worker free first (the lowest on a
 * tie); a chunk costs its length (the audio runs beside them, in the light lane).
 */
function makespan(segments: readonly PlannedSegment[], workers: number): number {
  const free = Array.from({ length: workers }, () => 0);
  for (const s of longestFirst(segments)) {
    const first = free.indexOf(Math.min(...free));
    free[first] = (free[first] ?? 0) + (s.endSec - s.startSec);
  }
  return Math.max(...free);
}

const planned = (source: SegmentSource, workers: number) => {
  const segments = planSegments(source, balanceSegments(defaultSegmentBounds, source.durationSec, workers));
  if (!Array.isArray(segments)) throw new Error("bounds refused");
  return segments;
};

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

describe("evenCuts", () => {
  it("cuts between keyframes, decode-accurately, where the keyframes left the chunks unequal", () => {
    // keyframes every 8.33 s: planSegments cuts at 58.33 s, so one worker waits 3.3 s for the other
    const source = sourceOf(120, 30, 250);
    const segments = planned(source, 2);
    expect(segments.map((s) => s.startSec)).toEqual([0, 1750 / 30]);
    expect(makespan(segments, 2)).toBeCloseTo(61.667, 2);
    const moved = evenCuts(segments, source, 2, defaultSegmentBounds);
    expect(moved.map((s) => [s.startSec, s.startsOnKeyframe])).toEqual([
      [0, true],
      [60, false],
    ]);
    expect(makespan(moved, 2)).toBeCloseTo(60, 6);
  });

  it("cuts on a keyframe when one is the frame nearest the ideal place", () => {
    const source = sourceOf(120, 30, 60);
    expect(
      evenCuts(planned(source, 2), source, 2, defaultSegmentBounds).map((s) => [
        s.startSec,
        s.startsOnKeyframe,
      ]),
    ).toEqual([
      [0, true],
      [60, true],
    ]);
  });

  it("leaves one worker's segments as they are", () => {
    const source = sourceOf(120, 30, 250);
    const segments = planned(source, 2);
    expect(evenCuts(segments, source, 1, defaultSegmentBounds)).toBe(segments);
  });

  it("covers the source exactly, cut on frames, within the bounds, as many segments as planned", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 8 }),
        fc.integer({ min: 20, max: 1200 }),
        fc.integer({ min: 1, max: 300 }),
        (workers, seconds, gop) => {
          const source = sourceOf(seconds, 2, gop);
          const segments = planned(source, workers);
          const moved = evenCuts(segments, source, workers, defaultSegmentBounds);
          expect(moved).toHaveLength(segments.length);
          expect(moved[0]?.startSec).toBe(0);
          expect(moved.at(-1)?.endSec).toBe(seconds);
          for (const [i, s] of moved.entries()) {
            expect(s.index).toBe(i);
            if (i > 0) expect(s.startSec).toBe(moved[i - 1]?.endSec);
            expect(source.frameTimesSec).toContain(s.startSec);
            expect(s.startsOnKeyframe).toBe(i === 0 || source.keyframeTimesSec.includes(s.startSec));
            if (segments.length > 1) {
              expect(s.endSec - s.startSec).toBeGreaterThanOrEqual(defaultSegmentBounds.minSec);
              expect(s.endSec - s.startSec).toBeLessThanOrEqual(defaultSegmentBounds.maxSec);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("finishes every worker together: never later than before, within a frame of the ideal", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 8 }), fc.integer({ min: 60, max: 1200 }), (workers, seconds) => {
        const source = sourceOf(seconds, 2, 7);
        const segments = planned(source, workers);
        const moved = evenCuts(segments, source, workers, defaultSegmentBounds);
        const frame = 0.5;
        expect(makespan(moved, workers)).toBeLessThanOrEqual(makespan(segments, workers) + frame);
        if (segments.length % workers === 0) {
          expect(makespan(moved, workers)).toBeLessThanOrEqual(seconds / workers + frame);
        }
      }),
      { numRuns: 300 },
    );
  });
});
