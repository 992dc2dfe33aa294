import { describe, expect, it } from "vitest";
import { gopFrames, snapToKeyframeGrid } from "./keyframeGrid.ts";

const frames = (startSec: number) => ({
  frameTimesSec: Array.from({ length: 300 }, (_, i) => startSec + i / 25),
});

describe("keyframe grid", () => {
  it("counts a GOP in whole frames of the output rate", () => {
    expect(gopFrames("25/1", 2)).toBe(50);
    expect(gopFrames("30000/1001", 2)).toBe(60);
    expect(gopFrames("24/1", 0.01)).toBe(1);
  });

  it("moves inner cuts to the nearest grid point from the first frame; the ends stay", () => {
    const snapped = snapToKeyframeGrid(
      [
        { startSec: 0, endSec: 3.1 },
        { startSec: 3.1, endSec: 7.9 },
        { startSec: 7.9, endSec: 12 },
      ],
      frames(0.5),
      "25/1",
      50,
    );
    expect(snapped.map((s) => [s.startSec, s.endSec])).toEqual([
      [0, 2.5],
      [2.5, 8.5],
      [8.5, 12],
    ]);
  });

  it("keeps the cuts when snapping would leave a segment empty", () => {
    const segments = [
      { startSec: 0, endSec: 0.9 },
      { startSec: 0.9, endSec: 1.2 },
      { startSec: 1.2, endSec: 4 },
    ];
    expect(snapToKeyframeGrid(segments, frames(0), "25/1", 50)).toBe(segments);
  });
});
