import { describe, expect, it } from "vitest";
import type { StreamStats, TelemetryFrame, TelemetrySample } from "./apiTypes.ts";
import { appendSample, applyTelemetryFrame } from "./liveTelemetry.ts";

const sample = (at: string, video = 2000): TelemetrySample => ({
  at,
  video_bitrate_kbps: video,
  audio_bitrate_kbps: 128,
  fps: 25,
  dropped_frames: 0,
  viewers: null,
});

const stats = (series: TelemetrySample[], sampledAt: string | null): StreamStats => ({
  status: "live",
  viewers: 3,
  bitrate_kbps: 2128,
  fps: 25,
  video_bitrate_kbps: 2000,
  audio_bitrate_kbps: 128,
  keyframe_interval_seconds: 2,
  dropped_frames: 0,
  uptime_seconds: 10,
  width: 320,
  height: 240,
  video_codec: "h264",
  audio_codec: "aac",
  health: { verdict: "excellent", reason: "steady" },
  sampled_at: sampledAt,
  series,
});

const frame = (at: string, video: number): TelemetryFrame => ({
  stream_id: "7b0c7d9e-3c61-4f0a-9a57-0d6f3f1c2a10",
  session_id: "1f0c7d9e-3c61-4f0a-9a57-0d6f3f1c2a11",
  at,
  video_bitrate_kbps: video,
  audio_bitrate_kbps: 96,
  fps: 24.5,
  keyframe_interval_seconds: 2,
  dropped_frames: 4,
  uptime_seconds: 12,
  width: 320,
  height: 240,
  video_codec: "h264",
  audio_codec: "aac",
  viewers: null,
});

describe("appendSample", () => {
  it("adds a newer sample at the end", () => {
    const series = appendSample([sample("2026-12-03T08:00:00.000Z")], sample("2026-12-03T08:00:01.000Z"));
    expect(series.map((point) => point.at)).toEqual(["2026-12-03T08:00:00.000Z", "2026-12-03T08:00:01.000Z"]);
  });

  it("puts a late sample in its place and replaces one of the same instant", () => {
    const series = appendSample(
      [sample("2026-12-03T08:00:00.000Z"), sample("2026-12-03T08:00:02.000Z", 1000)],
      sample("2026-12-03T08:00:01.000Z"),
    );
    expect(series.map((point) => point.at.slice(17, 19))).toEqual(["00", "01", "02"]);
    const replaced = appendSample(series, sample("2026-12-03T08:00:02.000Z", 3000));
    expect(replaced).toHaveLength(3);
    expect(replaced[2]?.video_bitrate_kbps).toBe(3000);
  });

  it("drops samples older than the window", () => {
    const series = appendSample(
      [sample("2026-12-03T07:49:59.000Z"), sample("2026-12-03T07:50:00.000Z")],
      sample("2026-12-03T08:00:00.000Z"),
    );
    expect(series.map((point) => point.at)).toEqual(["2026-12-03T07:50:00.000Z", "2026-12-03T08:00:00.000Z"]);
  });
});

describe("applyTelemetryFrame", () => {
  it("moves the figures on and adds the frame to the series", () => {
    const next = applyTelemetryFrame(
      stats([sample("2026-12-03T08:00:00.000Z")], "2026-12-03T08:00:00.000Z"),
      frame("2026-12-03T08:00:01.000Z", 1800),
    );
    expect(next).toMatchObject({
      video_bitrate_kbps: 1800,
      audio_bitrate_kbps: 96,
      bitrate_kbps: 1896,
      fps: 24.5,
      dropped_frames: 4,
      uptime_seconds: 12,
      viewers: 3,
      sampled_at: "2026-12-03T08:00:01.000Z",
    });
    expect(next.series).toHaveLength(2);
  });

  it("ignores a frame no newer than the figures it has", () => {
    const before = stats([sample("2026-12-03T08:00:05.000Z")], "2026-12-03T08:00:05.000Z");
    expect(applyTelemetryFrame(before, frame("2026-12-03T08:00:04.000Z", 100))).toBe(before);
  });

  it("takes the first frame of a session that had no figures yet", () => {
    const next = applyTelemetryFrame(stats([], null), frame("2026-12-03T08:00:01.000Z", 1500));
    expect(next.series).toHaveLength(1);
  });
});
