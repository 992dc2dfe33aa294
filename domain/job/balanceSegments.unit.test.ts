import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { balanceSegments, shortenForAudio } from "./balanceSegments.ts";
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
 * tie), then the audio to the worker free first; a chunk costs its length, the audio `audioSec`.
 */
function makespan(segments: readonly PlannedSegment[], workers: number, audioSec: number): number {
  const free = Array.from({ length: workers }, () => 0);
  const take = (work: number) => {
    const first = free.indexOf(Math.min(...free));
    free[first] = (free[first] ?? 0) + work;
  };
  for (const s of longestFirst(segments)) take(s.endSec - s.startSec);
  take(audioSec);
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

describe("shortenForAudio", () => {
  const work = { workers: 2, audioSec: 10.8 };

  it("moves the cut so the chunk that shares its worker with the audio is shorter by it", () => {
    // keyframes every 8.33 s: planSegments cuts at 58.33 s, the short chunk first and the audio after it
    const source = sourceOf(120, 30, 250);
    const segments = planned(source, 2);
    expect(segments.map((s) => s.startSec)).toEqual([0, 1750 / 30]);
    expect(makespan(segments, 2, work.audioSec)).toBeCloseTo(58.333 + 10.8, 2);
    const moved = shortenForAudio(segments, source, work, defaultSegmentBounds);
    // ideal 65.4 s, between the keyframes at 58.33 and 66.67 s: cut there, decode-accurately
    expect(moved.map((s) => [s.startSec, s.startsOnKeyframe])).toEqual([
      [0, true],
      [1962 / 30, false],
    ]);
    expect(makespan(moved, 2, work.audioSec)).toBeCloseTo(65.4, 6);
  });

  it("cuts on a keyframe when one is the frame nearest the ideal place", () => {
    const source = sourceOf(120, 30, 60);
    const moved = shortenForAudio(
      planned(source, 2),
      source,
      { ...work, audioSec: 12 },
      defaultSegmentBounds,
    );
    expect(moved.map((s) => [s.startSec, s.startsOnKeyframe])).toEqual([
      [0, true],
      [66, true],
    ]);
  });

  it("leaves the segments as they are without audio", () => {
    const source = sourceOf(120, 30, 250);
    const segments = planned(source, 2);
    expect(shortenForAudio(segments, source, { ...work, audioSec: 0 }, defaultSegmentBounds)).toBe(segments);
  });

  it("covers the source exactly, cut on frames, within the bounds, as many segments as planned", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 8 }),
        fc.integer({ min: 20, max: 1200 }),
        fc.integer({ min: 1, max: 300 }),
        fc.double({ min: 0, max: 0.3, noNaN: true }),
        (workers, seconds, gop, audioRatio) => {
          const source = sourceOf(seconds, 2, gop);
          const segments = planned(source, workers);
          const moved = shortenForAudio(
            segments,
            source,
            { workers, audioSec: seconds * audioRatio },
            defaultSegmentBounds,
          );
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

  it("finishes every worker together, the audio included: never later than before, within a frame of the ideal", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 8 }),
        fc.integer({ min: 60, max: 1200 }),
        fc.double({ min: 0.01, max: 0.2, noNaN: true }),
        (workers, seconds, audioRatio) => {
          // a keyframe on every frame: each cut lands within a frame of its ideal place
          const source = sourceOf(seconds, 2, 1);
          const segments = planned(source, workers);
          const audioSec = seconds * audioRatio;
          const moved = shortenForAudio(segments, source, { workers, audioSec }, defaultSegmentBounds);
          const frame = 0.5;
          expect(makespan(moved, workers, audioSec)).toBeLessThanOrEqual(
            makespan(segments, workers, audioSec) + frame,
          );
          const count = segments.length;
          const fits =
            count % workers === 0 &&
            audioSec <= (seconds - count * defaultSegmentBounds.minSec) / (count - 1) &&
            audioSec <= count * defaultSegmentBounds.maxSec - seconds;
          if (fits && moved !== segments) {
            expect(makespan(moved, workers, audioSec)).toBeLessThanOrEqual(
              ((seconds + audioSec) / count) * (count / workers) + 2 * frame,
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
