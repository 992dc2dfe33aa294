import { describe, expect, it } from "vitest";
import type { LiveTelemetryTick } from "../../domain/ports/liveSessions.ts";
import { createMemoryProgressBus } from "../../infra/progress/memoryProgressBus.ts";
import { createTelemetrySeries } from "./telemetrySeries.ts";

const base = Date.parse("2026-11-01T08:00:00.000Z");
const tick = (ms: number, overrides: Partial<LiveTelemetryTick> = {}): LiveTelemetryTick => ({
  streamId: "s1",
  sessionId: "a",
  at: new Date(base + ms).toISOString(),
  videoBitrateKbps: ms,
  audioBitrateKbps: 128,
  fps: 30,
  keyframeIntervalSeconds: 2,
  droppedFrames: 0,
  uptimeSeconds: ms / 1000,
  width: null,
  height: null,
  videoCodec: null,
  audioCodec: null,
  viewers: null,
  ...overrides,
});

describe("telemetry series", () => {
  it("keeps one sample a second, the latest of each second, over the window", () => {
    const bus = createMemoryProgressBus();
    const series = createTelemetrySeries({ bus, windowSeconds: 10 });
    for (const ms of [0, 400, 1000, 1900, 2000]) bus.publishTelemetry(tick(ms));
    expect(series.samples("s1").map((s) => s.videoBitrateKbps)).toEqual([400, 1900, 2000]);
    for (let second = 3; second <= 15; second++) bus.publishTelemetry(tick(second * 1000));
    const kept = series.samples("s1").map((s) => s.uptimeSeconds);
    expect(kept).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    expect(series.latest("s1")?.uptimeSeconds).toBe(15);
    expect(series.before("s1", 5)?.uptimeSeconds).toBe(10);
    expect(series.samples("other")).toEqual([]);
    series.stop();
    bus.publishTelemetry(tick(16_000));
    expect(series.latest("s1")?.uptimeSeconds).toBe(15);
  });

  it("starts again with a new session, and forgets a stream", () => {
    const bus = createMemoryProgressBus();
    const series = createTelemetrySeries({ bus });
    bus.publishTelemetry(tick(0));
    bus.publishTelemetry(tick(1000));
    bus.publishTelemetry(tick(5000, { sessionId: "b" }));
    expect(series.samples("s1").map((s) => s.sessionId)).toEqual(["b"]);
    series.forget("s1");
    expect(series.latest("s1")).toBeUndefined();
  });

  it("holds at most maxStreams streams, dropping the one that ticked longest ago", () => {
    const bus = createMemoryProgressBus();
    const series = createTelemetrySeries({ bus, maxStreams: 2 });
    for (const streamId of ["x", "y", "x", "z"]) bus.publishTelemetry(tick(0, { streamId }));
    expect(series.latest("y")).toBeUndefined();
    expect(series.latest("x")).toBeDefined();
    expect(series.latest("z")).toBeDefined();
  });
});
