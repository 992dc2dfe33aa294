import { describe, expect, it } from "vitest";
import type { EncodePlan, SourceFrames, SourceInfo } from "../sdk/encoderPlugin.ts";
import { builtInProfiles } from "./builtInProfiles.ts";
import { expectedStitch } from "./expectedStitch.ts";
import { planEncode } from "./planEncode.ts";

function frames(times: readonly number[], endSec: number, rate: string, vfr: boolean): SourceFrames {
  return {
    _tag: "SourceFrames",
    videoStreamIndex: 0,
    startTimeSec: 0,
    frameTimesSec: times,
    keyframeTimesSec: [0],
    endSec,
    frameCount: times.length,
    declaredFrameCount: null,
    frameRate: rate,
    avgFrameRate: rate,
    variableFrameRate: vfr,
    openGop: false,
  };
}

function source(rate: string, durationSec: number): SourceInfo {
  return {
    _tag: "SourceInfo",
    input: "/media/in.mp4",
    formatName: "mov,mp4",
    durationSec,
    sizeBytes: null,
    video: {
      index: 0,
      codec: "h264",
      width: 320,
      height: 180,
      sampleAspectRatio: [1, 1],
      rotation: 0,
      frameRate: rate,
      avgFrameRate: rate,
      variableFrameRate: false,
      pixFmt: "yuv420p",
    },
    audio: null,
    audioTrackCount: 0,
  };
}

const profile = {
  ...builtInProfiles["720p_h264"],
  video: { ...builtInProfiles["720p_h264"].video, maxFps: 30 },
};

const chunkPlans = (f: SourceFrames, info: SourceInfo, cuts: readonly number[]): EncodePlan[] =>
  [0, ...cuts].map((startSec, i) =>
    planEncode(profile, info, {
      chunk: { frames: f, startSec, endSec: cuts[i] ?? f.endSec },
    }),
  );

describe("expectedStitch", () => {
  it("expects a CFR source kept at its rate to keep its frame count, seams where the chunks start", () => {
    const f = frames(
      Array.from({ length: 150 }, (_, k) => k / 30),
      5,
      "30/1",
      false,
    );
    const expected = expectedStitch(f, chunkPlans(f, source("30/1", 5), [2, 4]), null);
    expect(expected).toEqual({
      frameRate: "30/1",
      frameCount: 150,
      durationSec: 5,
      seamsSec: [2, 4],
      audio: [],
      audioFrameSec: 0,
    });
  });

  it("expects a halved rate to land on the encode's grid: ceil(end × rate) frames", () => {
    const f = frames(
      Array.from({ length: 240 }, (_, k) => k / 60),
      4,
      "60/1",
      false,
    );
    const expected = expectedStitch(f, chunkPlans(f, source("60/1", 4), [1.5]), null);
    expect(expected).toMatchObject({ frameRate: "30/1", frameCount: 120, seamsSec: [1.5] });
  });

  it("expects a VFR source on the encode's constant grid, not at its own irregular times", () => {
    // 2 s of frames at irregular times, 37 of them, ending at 2 s: 60 frames on the 30 fps grid.
    const times = Array.from({ length: 37 }, (_, k) => Math.round((k * 2 * 30) / 37) / 30);
    const f = frames([...new Set(times)], 2, "30/1", true);
    expect(expectedStitch(f, chunkPlans(f, source("30/1", 2), [1]), null).frameCount).toBe(60);
  });
});
