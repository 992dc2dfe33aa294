import { describe, expect, it } from "vitest";
import { packageAlignment } from "./packageAlignment.ts";
import type { TrackTimeline } from "./packageTimeline.ts";

/** A 30 fps rendition whose segments start at these seconds (plus `offsetTicks`), keyframes unless listed. */
function rendition(
  starts: number[],
  options: { offsetTicks?: number; notKey?: number[] } = {},
): TrackTimeline {
  const timescale = 15360;
  const ticks = starts.map((s) => Math.round(s * timescale) + (options.offsetTicks ?? 0));
  return {
    stream: {
      codecName: "h264",
      profile: "High",
      level: 30,
      width: 640,
      height: 360,
      frameRate: "30/1",
      channels: null,
      sampleRate: null,
    },
    timescale,
    segments: ticks.map((t, i) => ({
      path: `seg_${i + 1}.m4s`,
      sizeBytes: 1000,
      firstPts: t,
      firstIsKeyframe: !(options.notKey ?? []).includes(i + 1),
      startPts: t,
      endPts: ticks[i + 1] ?? t + 6 * timescale,
    })),
  };
}

describe("packageAlignment", () => {
  it("accepts renditions cut at the same times, also when one starts presenting two frames later (B-frames)", () => {
    expect(
      packageAlignment([
        { name: "720p", timeline: rendition([0, 6, 12], { offsetTicks: 1024 }) },
        { name: "360p", timeline: rendition([0, 6, 12]) },
      ]),
    ).toBeNull();
  });

  it("names the rendition, the segment and both times when a cut is elsewhere", () => {
    expect(
      packageAlignment([
        { name: "720p", timeline: rendition([0, 4, 8]) },
        { name: "480p", timeline: rendition([0, 6, 9]) },
      ]),
    ).toEqual({
      rendition: "480p",
      segment: 2,
      timeSec: 6,
      message: "rendition 480p: segment 2 starts at 6.000 s, 720p's at 4.000 s",
    });
  });

  it("rejects a segment that does not open on a keyframe, and renditions with different segment counts", () => {
    expect(packageAlignment([{ name: "720p", timeline: rendition([0, 6], { notKey: [2] }) }])).toMatchObject({
      rendition: "720p",
      segment: 2,
      message: "rendition 720p: segment 2 (at 6.000 s) does not start with a keyframe",
    });
    expect(
      packageAlignment([
        { name: "720p", timeline: rendition([0, 6, 12]) },
        { name: "360p", timeline: rendition([0, 6]) },
      ]),
    ).toMatchObject({ rendition: "360p", segment: 3, timeSec: 12 });
  });

  it("lets a cut be off by less than half a frame, not by a whole one", () => {
    const near = rendition([0, 6]);
    const shifted = (ticks: number): TrackTimeline => ({
      ...near,
      segments: near.segments.map((s, i) => (i === 1 ? { ...s, firstPts: s.firstPts + ticks } : s)),
    });
    expect(
      packageAlignment([
        { name: "a", timeline: near },
        { name: "b", timeline: shifted(100) },
      ]),
    ).toBeNull();
    expect(
      packageAlignment([
        { name: "a", timeline: near },
        { name: "b", timeline: shifted(512) },
      ]),
    ).not.toBeNull();
  });
});
