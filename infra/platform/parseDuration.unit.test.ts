import { describe, expect, it } from "vitest";
import { parseDuration } from "./parseDuration.ts";
import { loadConfig } from "./platformConfig.ts";

describe("durations in configuration", () => {
  it("reads a number with a unit, or bare seconds, and refuses anything else by name", () => {
    expect(parseDuration("7d", "X", 0)).toBe(7 * 86_400_000);
    expect(parseDuration("12h", "X", 0)).toBe(12 * 3600_000);
    expect(parseDuration("30m", "X", 0)).toBe(30 * 60_000);
    expect(parseDuration("90", "X", 0)).toBe(90_000);
    expect(parseDuration("250ms", "X", 0)).toBe(250);
    expect(parseDuration(undefined, "X", 5)).toBe(5);
    expect(() => parseDuration("a week", "WEBENCODE_FAILED_RETENTION", 0)).toThrow(
      /WEBENCODE_FAILED_RETENTION/,
    );
  });

  it("keeps failed jobs' work for 7 days and looks every hour unless told otherwise", () => {
    expect(loadConfig({}, {})).toMatchObject({
      failedRetentionMs: 7 * 86_400_000,
      sweepIntervalMs: 3600_000,
    });
    expect(
      loadConfig({}, { WEBENCODE_FAILED_RETENTION: "2d", WEBENCODE_SWEEP_INTERVAL: "10m" }),
    ).toMatchObject({ failedRetentionMs: 2 * 86_400_000, sweepIntervalMs: 600_000 });
  });
});
