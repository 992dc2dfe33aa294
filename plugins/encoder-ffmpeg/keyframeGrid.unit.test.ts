import { describe, expect, it } from "vitest";
import type { SourceFrames, SourceInfo } from "../sdk/encoderPlugin.ts";
import { builtInProfiles } from "./builtInProfiles.ts";
import { createFfmpegSplitEncoding } from "./ffmpegSplitEncoding.ts";
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

describe("planSplit with aligned keyframes", () => {
  const split = createFfmpegSplitEncoding({ ffmpegPath: "ffmpeg", ffprobePath: "ffprobe", stateDir: "/tmp" });
  const times = Array.from({ length: 300 }, (_, i) => i / 30);
  const frames: SourceFrames = {
    _tag: "SourceFrames",
    videoStreamIndex: 0,
    startTimeSec: 0,
    frameTimesSec: times,
    keyframeTimesSec: [0, 3.5, 7.1],
    endSec: 10,
    frameCount: 300,
    declaredFrameCount: 300,
    frameRate: "30/1",
    avgFrameRate: "30/1",
    variableFrameRate: false,
    openGop: false,
  };
  const source: SourceInfo = {
    _tag: "SourceInfo",
    input: "/media/in.mp4",
    formatName: "mp4",
    durationSec: 10,
    sizeBytes: null,
    video: {
      index: 0,
      codec: "h264",
      width: 640,
      height: 360,
      sampleAspectRatio: [1, 1],
      rotation: 0,
      frameRate: "30/1",
      avgFrameRate: "30/1",
      variableFrameRate: false,
      pixFmt: "yuv420p",
    },
    audio: null,
    audioTrackCount: 0,
  };
  const segments = [
    { startSec: 0, endSec: 3.5 },
    { startSec: 3.5, endSec: 7.1 },
    { startSec: 7.1, endSec: 10 },
  ];
  const profile = builtInProfiles["720p_h264"];

  it("starts every chunk on a keyframe grid point when the profile aligns its keyframes", () => {
    const aligned = { ...profile, video: { ...profile.video, alignedKeyframes: true } };
    const plan = split.planSplit(aligned, source, frames, segments);
    expect(plan.chunks.map((c) => c.firstFrame)).toEqual([0, 120, 240]);
    expect(plan.chunks.map((c) => c.firstFrame % 60)).toEqual([0, 0, 0]);
  });

  it("cuts where the domain said otherwise", () => {
    const plan = split.planSplit(profile, source, frames, segments);
    expect(plan.chunks.map((c) => c.firstFrame)).toEqual([0, 105, 213]);
  });
});
