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
});
