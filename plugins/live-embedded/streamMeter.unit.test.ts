import { describe, expect, it } from "vitest";
import { createStreamMeter } from "./streamMeter.ts";

const video = (dts: number, keyframe: boolean, size = 1000) => ({
  codec_id: 7,
  codec_type: 9,
  flags: keyframe ? 3 : 4,
  dts,
  size,
});
const audio = (dts: number, size = 250) => ({ codec_id: 10, codec_type: 8, flags: 1, dts, size });

describe("createStreamMeter", () => {
  it("measures bitrates, frame rate and the keyframe interval over each period", () => {
    const meter = createStreamMeter(0);
    for (let frame = 0; frame < 50; frame += 1) meter.count(video(frame * 40, frame % 25 === 0));
    for (let n = 0; n < 40; n += 1) meter.count(audio(n * 25));
    const first = meter.sample(2000, { width: 320, height: 240 });
    expect(first).toEqual({
      videoBitrateKbps: 200,
      audioBitrateKbps: 40,
      fps: 25,
      keyframeIntervalSeconds: 1,
      droppedFrames: 0,
      width: 320,
      height: 240,
      videoCodec: "h264",
      audioCodec: "aac",
      viewers: null,
      bytesReceived: 60_000,
    });
    const idle = meter.sample(3000, { width: 0, height: 0 });
    expect(idle).toMatchObject({ videoBitrateKbps: 0, fps: 0, width: null, bytesReceived: 60_000 });
  });

  it("has no keyframe interval before the second keyframe", () => {
    const meter = createStreamMeter(0);
    meter.count(video(0, true));
    meter.count(video(40, false));
    expect(meter.sample(1000, { width: 320, height: 240 }).keyframeIntervalSeconds).toBeNull();
  });

  it("names enhanced RTMP codecs by their FourCC", () => {
    const meter = createStreamMeter(0);
    const hvc1 = [..."hvc1"].reduce((n, c) => n * 256 + c.charCodeAt(0), 0);
    meter.count({ codec_id: hvc1, codec_type: 9, flags: 3, dts: 0, size: 10 });
    expect(meter.sample(1000, { width: 0, height: 0 }).videoCodec).toBe("hevc");
  });
});
