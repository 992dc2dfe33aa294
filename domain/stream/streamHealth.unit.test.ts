import { describe, expect, it } from "vitest";
import type { LiveTelemetryTick } from "../ports/liveSessions.ts";
import { streamHealth } from "./streamHealth.ts";

const tick = (overrides: Partial<LiveTelemetryTick> = {}): LiveTelemetryTick => ({
  streamId: "s",
  sessionId: "a",
  at: "2026-11-01T08:00:00.000Z",
  videoBitrateKbps: 2500,
  audioBitrateKbps: 128,
  fps: 30,
  keyframeIntervalSeconds: 2,
  droppedFrames: 0,
  uptimeSeconds: 10,
  width: 1280,
  height: 720,
  videoCodec: "h264",
  audioCodec: "aac",
  viewers: null,
  ...overrides,
});

describe("streamHealth", () => {
  it("calls steady figures excellent, and says so", () => {
    expect(streamHealth(tick(), tick({ uptimeSeconds: 5 }), "live")).toEqual({
      verdict: "excellent",
      reason: "steady bitrate and frame rate",
    });
  });

  it("gives the worst finding with its reason", () => {
    expect(streamHealth(tick({ fps: 20 }), undefined, "live")).toMatchObject({ verdict: "degraded" });
    expect(streamHealth(tick({ fps: 20, keyframeIntervalSeconds: 12 }), undefined, "live")).toEqual({
      verdict: "poor",
      reason: "keyframes 12.0 s apart",
    });
    expect(streamHealth(tick({ videoBitrateKbps: 0 }), undefined, "live").verdict).toBe("poor");
    expect(streamHealth(tick({ droppedFrames: 3 }), tick({ uptimeSeconds: 5 }), "live")).toEqual({
      verdict: "degraded",
      reason: "3 frames dropped recently",
    });
    expect(streamHealth(tick({ droppedFrames: 60 }), tick({ uptimeSeconds: 9 }), "live").verdict).toBe(
      "poor",
    );
    // frames dropped in another session are not this one's
    expect(streamHealth(tick({ droppedFrames: 60 }), tick({ sessionId: "b" }), "live").verdict).toBe(
      "excellent",
    );
  });

  it("knows a stream without a publisher, or waiting for it", () => {
    expect(streamHealth(undefined, undefined, "idle").verdict).toBe("offline");
    expect(streamHealth(tick(), undefined, "reconnecting").verdict).toBe("poor");
    expect(streamHealth(undefined, undefined, "live").verdict).toBe("degraded");
  });
});
