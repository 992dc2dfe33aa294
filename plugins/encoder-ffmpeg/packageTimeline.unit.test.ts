import { describe, expect, it } from "vitest";
import { packageTimeline } from "./packageTimeline.ts";

const files = [
  { path: "video/360p/init.mp4", sizeBytes: 800 },
  { path: "video/360p/seg_00001.m4s", sizeBytes: 1000 },
  { path: "video/360p/seg_00002.m4s", sizeBytes: 900 },
];
// Decode order with B-frames: each segment's first packet is its keyframe, presented before the rest.
const probe = [
  "packet|pts=1014|duration=512|pos=900|flags=K_",
  "packet|pts=2038|duration=512|pos=1200|flags=__",
  "packet|pts=1526|duration=512|pos=1500|flags=__",
  "packet|pts=2550|duration=512|pos=1900|flags=K_",
  "packet|pts=3574|duration=512|pos=2200|flags=__",
  "packet|pts=3062|duration=512|pos=2500|flags=__",
  "stream|codec_name=h264|profile=High|width=640|height=360|level=30|r_frame_rate=30/1|avg_frame_rate=30/1|time_base=1/15360",
].join("\n");

describe("packageTimeline", () => {
  it("places each packet in its segment by byte position and times every segment", () => {
    expect(packageTimeline(probe, files)).toEqual({
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
      timescale: 15360,
      segments: [
        {
          path: "video/360p/seg_00001.m4s",
          sizeBytes: 1000,
          firstPts: 1014,
          firstIsKeyframe: true,
          startPts: 1014,
          endPts: 2550,
        },
        {
          path: "video/360p/seg_00002.m4s",
          sizeBytes: 900,
          firstPts: 2550,
          firstIsKeyframe: true,
          startPts: 2550,
          endPts: 4086,
        },
      ],
    });
  });

  it("skips packets the edit list discards and lets a packet without duration last as long as the gap before it", () => {
    const audio = [
      "packet|pts=-1024|duration=1024|pos=850|flags=KD",
      "packet|pts=0|duration=N/A|pos=900|flags=K_",
      "packet|pts=960|duration=N/A|pos=1100|flags=K_",
      "packet|pts=1920|duration=N/A|pos=1850|flags=K_",
      "stream|codec_name=opus|profile=unknown|sample_rate=48000|channels=2|time_base=1/48000",
    ].join("\n");
    const timeline = packageTimeline(audio, files);
    if (typeof timeline === "string") throw new Error(timeline);
    expect(timeline.stream).toMatchObject({
      codecName: "opus",
      profile: null,
      channels: 2,
      sampleRate: 48000,
      frameRate: null,
    });
    expect(timeline.segments.map((s) => [s.startPts, s.endPts])).toEqual([
      [0, 1920],
      [1920, 2880],
    ]);
  });

  it("says what is wrong when a segment is empty, a packet lies in the init segment or the time base is odd", () => {
    expect(
      packageTimeline(
        probe.replace("pos=1900", "pos=1000").replace("pos=2200", "pos=1000").replace("pos=2500", "pos=1000"),
        files,
      ),
    ).toBe("segment video/360p/seg_00002.m4s holds no packets");
    expect(packageTimeline(probe.replace("pos=900", "pos=10"), files)).toBe(
      "a packet lies inside the init segment (byte 10)",
    );
    expect(packageTimeline(probe.replace("time_base=1/15360", "time_base=0/0"), files)).toMatch(/time base/);
    expect(packageTimeline(probe, files.slice(0, 1))).toBe("the track has no segments");
  });
});
