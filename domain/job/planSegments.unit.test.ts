import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  defaultSegmentBounds,
  type PlannedSegment,
  planSegments,
  type SegmentBounds,
  type SegmentSource,
} from "./planSegments.ts";

const EPS = 1e-9;

/** A constant-rate source of `count` frames with a keyframe every `gop` frames (the first always). */
const cfr = (fps: number, count: number, gop: number): SegmentSource => {
  const frameTimesSec = Array.from({ length: count }, (_, i) => i / fps);
  return {
    durationSec: count / fps,
    frameTimesSec,
    keyframeTimesSec: frameTimesSec.filter((_, i) => i % gop === 0),
  };
};

const plan = (source: SegmentSource, bounds?: SegmentBounds): readonly PlannedSegment[] => {
  const planned = planSegments(source, bounds);
  if (!Array.isArray(planned)) throw new Error(`unexpected rejection: ${JSON.stringify(planned)}`);
  return planned;
};

const lengths = (segments: readonly PlannedSegment[]) => segments.map((s) => s.endSec - s.startSec);

// Any valid bounds, scaled so that sources of a few minutes hold several segments.
const boundsArb = (maxOverMin: { min: number; max: number }) =>
  fc
    .record({
      minSec: fc.double({ min: 0.5, max: 20, noNaN: true }),
      ratio: fc.double({ min: maxOverMin.min, max: maxOverMin.max, noNaN: true }),
      targetAt: fc.double({ min: 0, max: 1, noNaN: true }),
    })
    .map(({ minSec, ratio, targetAt }) => {
      const maxSec = minSec * ratio;
      return { minSec, maxSec, targetSec: Math.min(maxSec, minSec + (maxSec - minSec) * targetAt) };
    });

// Constant or variable rate, keyframes regular, sparse, random, or only the first frame.
const sourceArb = fc
  .record({
    gaps: fc.oneof(
      fc
        .record({ fps: fc.constantFrom(10, 24, 25, 30, 60), count: fc.integer({ min: 1, max: 9000 }) })
        .map(({ fps, count }) => Array.from({ length: count }, () => 1 / fps)),
      fc.array(fc.double({ min: 0.005, max: 2, noNaN: true }), { minLength: 1, maxLength: 3000 }),
    ),
    keyframes: fc.oneof(
      fc.integer({ min: 1, max: 600 }).map((gop) => (i: number) => i % gop === 0),
      fc.constant((i: number) => i === 0),
      fc.func(fc.boolean()).map((pick) => (i: number) => i === 0 || pick(i)),
    ),
  })
  .map(({ gaps, keyframes }): SegmentSource => {
    const frameTimesSec: number[] = [];
    let t = 0;
    for (const gap of gaps) {
      frameTimesSec.push(t);
      t += gap;
    }
    return { durationSec: t, frameTimesSec, keyframeTimesSec: frameTimesSec.filter((_, i) => keyframes(i)) };
  });

function expectExactCover(source: SegmentSource, segments: readonly PlannedSegment[]) {
  expect(segments.length).toBeGreaterThan(0);
  expect(segments[0]?.startSec).toBe(0);
  expect(segments.at(-1)?.endSec).toBe(source.durationSec);
  segments.forEach((segment, i) => {
    expect(segment.index).toBe(i);
    expect(segment.endSec).toBeGreaterThan(segment.startSec);
    if (i > 0) expect(segment.startSec).toBe(segments[i - 1]?.endSec);
  });
}

describe("planSegments", () => {
  it("covers the source exactly, in order, without gap or overlap, cutting only on frames", () => {
    fc.assert(
      fc.property(sourceArb, boundsArb({ min: 2, max: 8 }), (source, bounds) => {
        const segments = plan(source, bounds);
        expectExactCover(source, segments);
        for (const segment of segments.slice(1)) {
          expect(source.frameTimesSec).toContain(segment.startSec);
          expect(segment.startsOnKeyframe).toBe(source.keyframeTimesSec.includes(segment.startSec));
        }
      }),
    );
  });

  it("cuts between keyframes only where a segment would otherwise grow past the max and no keyframe fits", () => {
    fc.assert(
      fc.property(sourceArb, boundsArb({ min: 2, max: 8 }), (source, { minSec, maxSec, targetSec }) => {
        const segments = plan(source, { minSec, maxSec, targetSec });
        for (const [i, segment] of segments.entries()) {
          const previous = segments[i - 1];
          if (previous === undefined || segment.startsOnKeyframe) continue;
          const rest = source.durationSec - previous.startSec;
          expect(rest).toBeGreaterThan(maxSec);
          const low = previous.startSec + minSec;
          const high = Math.min(previous.startSec + maxSec, source.durationSec - minSec);
          expect(source.keyframeTimesSec.filter((k) => k >= low && k <= high)).toEqual([]);
        }
      }),
    );
  });

  it("keeps every segment within the bounds where the frames allow (no frame gap over the min)", () => {
    fc.assert(
      fc.property(sourceArb, boundsArb({ min: 3, max: 8 }), (source, bounds) => {
        const times = [...source.frameTimesSec, source.durationSec];
        const widestGap = Math.max(0, ...times.slice(1).map((t, i) => t - (times[i] ?? 0)));
        fc.pre(widestGap <= bounds.minSec && source.durationSec >= bounds.minSec);
        for (const length of lengths(plan(source, bounds))) {
          expect(length).toBeGreaterThanOrEqual(bounds.minSec - EPS);
          expect(length).toBeLessThanOrEqual(bounds.maxSec + EPS);
        }
      }),
    );
  });

  it("cuts only on keyframes when they come at least once per min", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(24, 25, 30),
        fc.integer({ min: 1, max: 20_000 }),
        fc.integer({ min: 1, max: 300 }),
        boundsArb({ min: 3, max: 8 }),
        (fps, count, gop, bounds) => {
          fc.pre(gop / fps <= bounds.minSec);
          const source = cfr(fps, count, gop);
          const segments = plan(source, bounds);
          expectExactCover(source, segments);
          expect(segments.every((s) => s.startsOnKeyframe)).toBe(true);
        },
      ),
    );
  });

  it("plans a 10-minute source with a keyframe every 2 s into 30–60 s segments on keyframes", () => {
    const segments = plan(cfr(30, 30 * 600, 60));
    expect(segments.length).toBe(13);
    expect(segments.every((s) => s.startsOnKeyframe)).toBe(true);
    for (const length of lengths(segments)) {
      expect(length).toBeGreaterThanOrEqual(30);
      expect(length).toBeLessThanOrEqual(60);
    }
  });

  it("keeps a source shorter than two minimum segments whole", () => {
    expect(plan(cfr(30, 30 * 19, 60))).toEqual([
      { index: 0, startSec: 0, endSec: 19, startsOnKeyframe: true },
    ]);
    expect(plan(cfr(30, 10, 1))).toHaveLength(1);
  });

  it("cuts a source with a single keyframe on frames, within bounds, each cut flagged for accurate seeking", () => {
    const source = cfr(25, 25 * 300, Number.MAX_SAFE_INTEGER);
    const segments = plan(source);
    expectExactCover(source, segments);
    expect(segments.length).toBeGreaterThan(1);
    expect(segments.slice(1).every((s) => !s.startsOnKeyframe)).toBe(true);
    for (const length of lengths(segments)) {
      expect(length).toBeGreaterThanOrEqual(10);
      expect(length).toBeLessThanOrEqual(120);
    }
  });

  it("cuts between keyframes one every 5 s when the bounds are 1–3 s", () => {
    const source = cfr(30, 30 * 12, 150);
    const segments = plan(source, { minSec: 1, targetSec: 2, maxSec: 3 });
    expectExactCover(source, segments);
    expect(segments.some((s) => s.index > 0 && !s.startsOnKeyframe)).toBe(true);
    expect(Math.max(...lengths(segments))).toBeLessThanOrEqual(3);
  });

  it("rejects bounds that cannot be met, saying how to fix them", () => {
    const source = cfr(30, 300, 30);
    expect(planSegments(source, { minSec: 10, targetSec: 5, maxSec: 120 })).toMatchObject({
      _tag: "SegmentBoundsInvalid",
    });
    expect(planSegments(source, { minSec: 0, targetSec: 5, maxSec: 120 })).toMatchObject({
      _tag: "SegmentBoundsInvalid",
    });
    const tooTight = planSegments(source, { minSec: 10, targetSec: 12, maxSec: 15 });
    expect(tooTight).toMatchObject({
      _tag: "SegmentBoundsInvalid",
      hint: expect.stringMatching(/max ≥ 2 × min/),
    });
  });

  it("defaults to 30–60 s segments aimed at 45 s, 10 s at least, 120 s at most", () => {
    expect(defaultSegmentBounds).toEqual({ targetSec: 45, minSec: 10, maxSec: 120 });
  });
});
