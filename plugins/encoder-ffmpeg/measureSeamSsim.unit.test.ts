import { describe, expect, it } from "vitest";
import { parseSsimLog, sampleKeyframes } from "./measureSeamSsim.ts";

describe("parseSsimLog", () => {
  it("reads each frame's SSIM by its place on the grid, ignoring the rest of the log", () => {
    const log = [
      "[Parsed_metadata_9 @ 0x5596] frame:0    pts:0       pts_time:0",
      "[Parsed_metadata_9 @ 0x5596] lavfi.ssim.All=0.997964",
      "frame=    1 fps=0.0 q=-0.0 size=N/A time=00:00:00.08 bitrate=N/A speed=9.43x    [Parsed_metadata_9 @ 0x5596] frame:1    pts:48      pts_time:1.6",
      "[Parsed_metadata_9 @ 0x5596] lavfi.ssim.All=0.5",
      "[Parsed_metadata_9 @ 0x5596] frame:2    pts:49      pts_time:1.63333",
      "[Parsed_metadata_9 @ 0x5596] lavfi.ssim.All=0.75",
    ].join("\n");
    expect([...parseSsimLog(log, 30)]).toEqual([
      [0, 0.997964],
      [48, 0.5],
      [49, 0.75],
    ]);
  });

  it("keeps windows measured in one run apart, whatever order their lines come in", () => {
    const log = [
      "[Parsed_metadata_7 @ 0x1] frame:0    pts:108     pts_time:3.6",
      "[Parsed_metadata_15 @ 0x2] frame:0    pts:200     pts_time:6.66667",
      "[Parsed_metadata_15 @ 0x2] lavfi.ssim.All=0.25",
      "[Parsed_metadata_7 @ 0x1] lavfi.ssim.All=0.9",
    ].join("\n");
    expect(parseSsimLog(log, 30)).toEqual(
      new Map([
        [200, 0.25],
        [108, 0.9],
      ]),
    );
  });
});

describe("sampleKeyframes", () => {
  // 120 s at 30 fps, a keyframe every 250 frames (x264's default): eight samples, 450 frames apart
  const keyframes = Array.from({ length: 15 }, (_, k) => (k * 250) / 30);

  it("starts each sample of the mean after the first source keyframe at or after its even place", () => {
    const placed = sampleKeyframes(keyframes, 0, "30/1", 3600);
    expect(placed.map((sec) => (sec === null ? null : Math.round(sec * 30)))).toEqual([
      250, 750, 1250, 1750, 2250, 2500, 3000, 3500,
    ]);
  });

  it("keeps a sample in its even place where no keyframe comes before the next one's", () => {
    // a keyframe every 20 s: the second sample's even place (frame 672) has none before the third's (1122)
    const sparse = Array.from({ length: 6 }, (_, k) => k * 20);
    const placed = sampleKeyframes(sparse, 0, "30/1", 3600);
    expect(placed.map((sec) => (sec === null ? null : sec * 30))).toEqual([
      600,
      null,
      1200,
      1800,
      2400,
      null,
      3000,
      null,
    ]);
    // one keyframe for the whole file: every sample where it was
    expect(sampleKeyframes([0], 0, "30/1", 3600)).toEqual(Array(8).fill(null));
  });

  it("counts frames from the source's first video frame", () => {
    const shifted = sampleKeyframes(
      keyframes.map((sec) => sec + 1.4),
      1.4,
      "30/1",
      3600,
    );
    expect(shifted).toEqual(sampleKeyframes(keyframes, 0, "30/1", 3600).map((sec) => sec! + 1.4));
  });
});
