import { describe, expect, it } from "vitest";
import { KERNEL_COMMAND_RATE_LIMIT, loadConfig } from "./platformConfig.ts";

describe("loadConfig", () => {
  it("limits commands per token by default for webencode kernel only, unless told otherwise", () => {
    expect(loadConfig({}, {}, "up").commandRateLimit).toBeNull();
    expect(loadConfig({}, {}, "kernel").commandRateLimit).toEqual(KERNEL_COMMAND_RATE_LIMIT);
    expect(loadConfig({}, { WEBENCODE_RATE_LIMIT_PER_S: "0" }, "kernel").commandRateLimit).toBeNull();
    expect(loadConfig({}, { WEBENCODE_RATE_LIMIT_PER_S: "2" }, "up").commandRateLimit).toEqual({
      perSecond: 2,
      burst: 10,
    });
    const env = { WEBENCODE_RATE_LIMIT_PER_S: "0.5", WEBENCODE_RATE_LIMIT_BURST: "4" };
    expect(loadConfig({}, env, "kernel").commandRateLimit).toEqual({ perSecond: 0.5, burst: 4 });
    expect(() => loadConfig({}, { WEBENCODE_RATE_LIMIT_PER_S: "fast" })).toThrow(
      /WEBENCODE_RATE_LIMIT_PER_S/,
    );
  });

  it("keeps Idempotency-Keys 24 hours unless told otherwise", () => {
    expect(loadConfig({}, {}).idempotencyTtlMs).toBe(24 * 60 * 60 * 1000);
    expect(loadConfig({}, { WEBENCODE_IDEMPOTENCY_TTL_MS: "3600000" }).idempotencyTtlMs).toBe(3_600_000);
  });

  it("takes live publishers on RTMP 1935 and SRT 10080, waiting 30 s for a dropped one, unless told otherwise", () => {
    expect(loadConfig({ host: "0.0.0.0" }, {}).live).toEqual({
      ingest: true,
      rtmpPort: 1935,
      srtPort: 10080,
      publicHost: "0.0.0.0",
      reconnectWindowMs: 30_000,
    });
    const env = {
      WEBENCODE_RTMP_PORT: "0",
      WEBENCODE_SRT_PORT: "9000",
      WEBENCODE_LIVE_PUBLIC_HOST: "ingest.example.com",
      WEBENCODE_LIVE_RECONNECT_WINDOW: "5s",
    };
    expect(loadConfig({}, env).live).toEqual({
      ingest: true,
      rtmpPort: 0,
      srtPort: 9000,
      publicHost: "ingest.example.com",
      reconnectWindowMs: 5000,
    });
    expect(loadConfig({}, { WEBENCODE_SRT_PORT: "off" }).live.srtPort).toBeNull();
    expect(() => loadConfig({}, { WEBENCODE_SRT_PORT: "udp" })).toThrow(/WEBENCODE_SRT_PORT/);
    expect(() => loadConfig({}, { WEBENCODE_RTMP_PORT: "70000" })).toThrow(/WEBENCODE_RTMP_PORT/);
  });

  it("times restreams by their defaults unless told otherwise, and refuses a duration that is not one", () => {
    expect(loadConfig({}, {}).restreams).toEqual({
      slateAfterMs: 1500,
      destinationStallMs: 10_000,
      startHoldMs: 5000,
      endHandOverMs: 60_000,
    });
    const env = {
      WEBENCODE_RESTREAM_SLATE_AFTER: "3s",
      WEBENCODE_RESTREAM_DESTINATION_STALL: "30s",
      WEBENCODE_RESTREAM_START_HOLD: "500ms",
      WEBENCODE_RESTREAM_END_HANDOVER: "2m",
    };
    expect(loadConfig({}, env).restreams).toEqual({
      slateAfterMs: 3000,
      destinationStallMs: 30_000,
      startHoldMs: 500,
      endHandOverMs: 120_000,
    });
    expect(() => loadConfig({}, { WEBENCODE_RESTREAM_SLATE_AFTER: "soon" })).toThrow(
      /WEBENCODE_RESTREAM_SLATE_AFTER/,
    );
    expect(() => loadConfig({}, { WEBENCODE_RESTREAM_START_HOLD: "0s" })).toThrow(
      /WEBENCODE_RESTREAM_START_HOLD must be longer than 0/,
    );
  });

  it("takes publishers in `up` and, when told to, in a kernel (WEBENCODE_LIVE_INGEST)", () => {
    const server = { DATABASE_URL: "postgres://db/webencode" };
    expect(loadConfig({}, server, "kernel").live.ingest).toBe(false);
    expect(loadConfig({}, { ...server, WEBENCODE_LIVE_INGEST: "on" }, "kernel").live.ingest).toBe(true);
    expect(loadConfig({}, { WEBENCODE_LIVE_INGEST: "off" }, "up").live.ingest).toBe(false);
    expect(() => loadConfig({}, { WEBENCODE_LIVE_INGEST: "yes" })).toThrow(
      /WEBENCODE_LIVE_INGEST is on or off/,
    );
  });
});
