import { describe, expect, it } from "vitest";
import type { SourceFrames } from "../sdk/encoderPlugin.ts";
import type { StitchExpectation } from "./expectedStitch.ts";
import { type AudioFacts, type StitchFacts, verifyStitch } from "./verifyStitch.ts";

// 90 frames at 30 fps in three chunks of 30: seams at 1 s and 2 s.
const expected: StitchExpectation = {
  frameRate: "30/1",
  frameCount: 90,
  durationSec: 3,
  seamsSec: [1, 2],
  audio: [{ durationSec: 3 }],
  audioFrameSec: 1024 / 48_000,
};
const grid = (count: number) => Array.from({ length: count }, (_, k) => k / 30);
const audio: AudioFacts = {
  startSec: 0,
  durationSec: 3.0133,
  language: "eng",
  largestStepSec: 1024 / 48_000,
  packetSec: 1024 / 48_000,
};

function facts(times: readonly number[], tracks: readonly AudioFacts[] = [audio]): StitchFacts {
  const video: SourceFrames = {
    _tag: "SourceFrames",
    videoStreamIndex: 0,
    startTimeSec: 0,
    frameTimesSec: times,
    keyframeTimesSec: [0, 1, 2],
    endSec: (times.at(-1) ?? 0) + 1 / 30,
    frameCount: times.length,
    declaredFrameCount: times.length,
    frameRate: "30/1",
    avgFrameRate: "30/1",
    variableFrameRate: false,
    openGop: false,
  };
  return { _tag: "StitchFacts", video, audio: tracks };
}

const chunks = ["/tmp/job/c0.mp4", "/tmp/job/c1.mp4", "/tmp/job/c2.mp4"];

describe("verifyStitch", () => {
  it("passes the frames of the whole encode, on the grid, with audio in sync", () => {
    expect(verifyStitch(facts(grid(90)), expected, chunks)).toEqual({
      _tag: "StitchVerified",
      frameCount: 90,
      durationSec: 3,
    });
  });

  it("passes frames that wander off the grid by a rounding, as a coarse time base makes them", () => {
    const times = grid(90).map((t, k) => t + (k % 2 === 0 ? 0.005 : -0.005));
    expect(verifyStitch(facts(times), expected, chunks)._tag).toBe("StitchVerified");
  });

  it("names a missing or doubled chunk by its frame count, keeping the chunks", () => {
    expect(verifyStitch(facts(grid(60)), expected, chunks)).toMatchObject({
      _tag: "StitchRejected",
      code: "WE-JOB-012",
      check: "frame_count",
      chunks,
    });
    expect(verifyStitch(facts(grid(120)), expected, chunks)).toMatchObject({ check: "frame_count" });
  });

  it("names the seam where a chunk overlaps the one before", () => {
    const times = [...grid(90).slice(0, 30), 29 / 30, ...grid(90).slice(31)].sort((a, b) => a - b);
    expect(verifyStitch(facts(times), expected, chunks)).toMatchObject({
      check: "timestamps_not_increasing",
      seamIndex: 1,
    });
  });

  it("names the seam where a chunk starts late, a gap of more than 1.5 frames", () => {
    const times = grid(90).map((t, k) => (k >= 60 ? t + 0.2 : t));
    const verdict = verifyStitch(facts(times), expected, chunks);
    expect(verdict).toMatchObject({ check: "gap", seamIndex: 2 });
    expect(verdict._tag === "StitchRejected" && verdict.message).toContain("at seam 2");
  });

  it("refuses frames drifting off the grid even where no single step is a gap", () => {
    const times = grid(90).map((t, k) => t + Math.min(k, 40) * 0.004);
    expect(verifyStitch(facts(times), expected, chunks)).toMatchObject({ check: "timestamps_off_grid" });
  });

  it("names the seam where no chunk starts, though count and grid hold", () => {
    const shortThenLong = { ...facts(grid(90)).video, keyframeTimesSec: [0, 29 / 30, 2] };
    expect(verifyStitch({ ...facts(grid(90)), video: shortThenLong }, expected, chunks)).toMatchObject({
      check: "seam_keyframe",
      seamIndex: 1,
    });
  });

  it("refuses a duration more than a frame from the source's", () => {
    expect(verifyStitch(facts(grid(90)), { ...expected, durationSec: 3.1 }, chunks)).toMatchObject({
      check: "duration",
    });
  });

  it("refuses a missing audio track, audio off by a frame, cut short or with a hole", () => {
    expect(verifyStitch(facts(grid(90), []), expected, chunks)).toMatchObject({ check: "audio_tracks" });
    expect(verifyStitch(facts(grid(90), [{ ...audio, startSec: 1 / 30 }]), expected, chunks)).toMatchObject({
      check: "av_offset",
    });
    expect(verifyStitch(facts(grid(90), [{ ...audio, startSec: 0.03 }]), expected, chunks)._tag).toBe(
      "StitchVerified",
    );
    expect(verifyStitch(facts(grid(90), [{ ...audio, durationSec: 2.9 }]), expected, chunks)).toMatchObject({
      check: "audio_duration",
    });
    expect(
      verifyStitch(facts(grid(90), [{ ...audio, largestStepSec: 2 * audio.packetSec }]), expected, chunks),
    ).toMatchObject({ check: "audio_gap" });
  });

  it("skips the audio duration check when the source does not say how long its track is", () => {
    const unknown = { ...expected, audio: [{ durationSec: null }] };
    expect(verifyStitch(facts(grid(90), [{ ...audio, durationSec: 2 }]), unknown, chunks)._tag).toBe(
      "StitchVerified",
    );
  });
});
