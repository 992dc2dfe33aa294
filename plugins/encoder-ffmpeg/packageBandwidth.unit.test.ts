import { describe, expect, it } from "vitest";
import { packageBandwidth } from "./packageBandwidth.ts";
import type { TrackTimeline } from "./packageTimeline.ts";

const track = (segments: { bytes: number; sec: number }[]): TrackTimeline => {
  let t = 0;
  return {
    stream: {
      codecName: "aac",
      profile: "LC",
      level: null,
      width: null,
      height: null,
      frameRate: null,
      channels: 2,
      sampleRate: 48000,
    },
    timescale: 1000,
    segments: segments.map((s, i) => {
      const startPts = t;
      t += s.sec * 1000;
      return {
        path: `seg_${i}.m4s`,
        sizeBytes: s.bytes,
        firstPts: startPts,
        firstIsKeyframe: true,
        startPts,
        endPts: t,
      };
    }),
  };
};

describe("packageBandwidth", () => {
  it("takes the peak over runs of segments lasting half to one and a half target durations", () => {
    const figures = packageBandwidth(
      track([
        { bytes: 75_000, sec: 6 },
        { bytes: 150_000, sec: 6 },
        { bytes: 75_000, sec: 6 },
      ]),
    );
    expect(figures.peak).toBe(200_000);
    expect(figures.average).toBeCloseTo((300_000 * 8) / 18);
  });

  it("does not let a short, dense last segment count as a peak of its own", () => {
    // 20 ms of audio in 436 bytes is 174 kbit/s alone; with the segment before it, 98 kbit/s.
    const figures = packageBandwidth(
      track([
        { bytes: 73_626, sec: 6.016 },
        { bytes: 73_306, sec: 5.984 },
        { bytes: 436, sec: 0.02 },
      ]),
    );
    expect(figures.peak).toBeLessThan(99_000);
    expect(figures.peak).toBeGreaterThan(97_000);
  });

  it("gives a track shorter than half a target duration its average as the peak", () => {
    expect(packageBandwidth(track([{ bytes: 1000, sec: 0.4 }]))).toEqual({ peak: 20_000, average: 20_000 });
  });
});
