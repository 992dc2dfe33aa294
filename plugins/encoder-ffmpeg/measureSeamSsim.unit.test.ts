import { describe, expect, it } from "vitest";
import { parseSsimLog } from "./measureSeamSsim.ts";

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
