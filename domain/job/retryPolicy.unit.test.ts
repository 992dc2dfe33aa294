import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isRetryable, retryDelayMs, retryPolicy } from "./retryPolicy.ts";

describe("retryDelayMs", () => {
  it("waits 5 s, 10 s, 20 s after attempts 1, 2, 3", () => {
    expect([1, 2, 3].map(retryDelayMs)).toEqual([5_000, 10_000, 20_000]);
  });

  it("never waits more than 5 minutes", () => {
    expect(retryDelayMs(7)).toBe(300_000);
    expect(retryDelayMs(2_000)).toBe(300_000);
  });

  it("is monotone and capped for every attempt", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 10_000 }), (a, b) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        expect(retryDelayMs(low)).toBeLessThanOrEqual(retryDelayMs(high));
        expect(retryDelayMs(high)).toBeLessThanOrEqual(retryPolicy.maxDelayMs);
        expect(retryDelayMs(low)).toBeGreaterThanOrEqual(retryPolicy.baseDelayMs);
      }),
    );
  });
});

describe("isRetryable", () => {
  it("retries transient, timeout, stalled and out-of-memory failures only", () => {
    const classes = ["input", "transient", "oom", "timeout", "stalled", "cancelled"] as const;
    expect(classes.filter(isRetryable)).toEqual(["transient", "oom", "timeout", "stalled"]);
  });
});
