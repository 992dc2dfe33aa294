import { describe, expect, it } from "vitest";
import { parseFrameProbe } from "./parseFrameProbe.ts";

const packet = (pts: number | "N/A", flags = "__", duration = 512) =>
  `packet|pts=${pts}|duration=${duration}|flags=${flags}`;
const stream = (timeBase = "1/15360", nbFrames = "N/A", rates = "30/1") =>
  `stream|codec_type=video|r_frame_rate=${rates}|avg_frame_rate=${rates}|time_base=${timeBase}|nb_frames=${nbFrames}`;
const format = (startTime = "0.000000") => `format|start_time=${startTime}`;
const probe = (...lines: string[]) => lines.join("\n");

describe("parseFrameProbe", () => {
  it("sorts frames from decode order into presentation order and finds the keyframes (closed GOP, B-frames)", () => {
    // I P B B | I P B B in decode order; each keyframe shows first.
    const out = probe(
      ...[0, 1536, 512, 1024].map((pts, i) => packet(pts, i === 0 ? "K_" : "__")),
      ...[2048, 3584, 2560, 3072].map((pts, i) => packet(pts, i === 0 ? "K_" : "__")),
      stream("1/15360", "8"),
      format(),
    );
    expect(parseFrameProbe(out, 0)).toEqual({
      _tag: "SourceFrames",
      videoStreamIndex: 0,
      startTimeSec: 0,
      frameTimesSec: [0, 1, 2, 3, 4, 5, 6, 7].map((i) => (i * 512) / 15360),
      keyframeTimesSec: [0, 2048 / 15360],
      endSec: (8 * 512) / 15360,
      frameCount: 8,
      declaredFrameCount: 8,
      frameRate: "30/1",
      avgFrameRate: "30/1",
      variableFrameRate: false,
      openGop: false,
    });
  });

  it("tells an open GOP by frames after a keyframe in decode order that show before it", () => {
    const out = probe(
      packet(0, "K_"),
      packet(1024),
      packet(512),
      packet(2560, "K_"),
      packet(1536),
      packet(2048),
    );
    expect(parseFrameProbe(probe(out, stream(), format()), 0)).toMatchObject({
      openGop: true,
      keyframeTimesSec: [0, 2560 / 15360],
    });
  });

  it("counts times from the container's start and reads past side data (MPEG-TS)", () => {
    const out = probe(
      `${packet(132_000, "K_", 3000)}|side_data|`,
      "",
      `${packet(135_000, "__", 3000)}|side_data|`,
      stream("1/90000", "N/A"),
      format("1.466667"),
    );
    const frames = parseFrameProbe(out, 0);
    expect(frames).toMatchObject({ startTimeSec: 1.466667, frameCount: 2, declaredFrameCount: null });
    if (frames._tag !== "SourceFrames") throw new Error("expected frames");
    expect(frames.frameTimesSec[0]).toBeCloseTo(132_000 / 90_000 - 1.466667, 9);
    expect(frames.endSec).toBeCloseTo(138_000 / 90_000 - 1.466667, 9);
  });

  it("leaves out packets an edit list drops", () => {
    const out = probe(
      packet(-1024, "KD"),
      packet(-512, "_D"),
      packet(0, "K_"),
      packet(512),
      stream(),
      format(),
    );
    expect(parseFrameProbe(out, 0)).toMatchObject({ frameCount: 2, frameTimesSec: [0, 512 / 15360] });
  });

  it("takes one-tick jitter of a millisecond time base as a constant rate, and uneven steps as variable", () => {
    const ms = [0, 33, 67, 100, 133, 167, 200].map((pts) => packet(pts, "__", 33));
    expect(parseFrameProbe(probe(...ms, stream("1/1000"), format()), 0)).toMatchObject({
      variableFrameRate: false,
    });
    const uneven = [0, 33, 67, 300, 333, 600].map((pts) => packet(pts, "__", 33));
    expect(parseFrameProbe(probe(...uneven, stream("1/1000"), format()), 0)).toMatchObject({
      variableFrameRate: true,
    });
  });

  it("ends the last frame one interval after it when its packet has no duration", () => {
    const out = probe(packet(0, "K_", 0), packet(512, "__", 0), stream(), format());
    expect(parseFrameProbe(out, 0)).toMatchObject({ endSec: 1024 / 15360 });
  });

  it("fails clearly for a stream without timestamps, without frames, or that is not video", () => {
    expect(parseFrameProbe(probe(packet("N/A", "K_"), stream(), format()), 0)).toMatchObject({
      _tag: "ProbeFailure",
      message: expect.stringMatching(/without timestamps/),
    });
    expect(parseFrameProbe(probe(stream(), format()), 0)).toMatchObject({
      _tag: "ProbeFailure",
      message: expect.stringMatching(/no frames/),
    });
    expect(
      parseFrameProbe(probe(packet(0, "K_"), "stream|codec_type=audio|time_base=1/48000", format()), 1),
    ).toMatchObject({ _tag: "ProbeFailure", message: "stream 1 is not a video stream" });
  });
});
