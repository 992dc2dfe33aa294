import { describe, expect, it } from "vitest";
import { chunkCount } from "./chunkCount.ts";

describe("chunkCount", () => {
  it("runs the job as one task while fewer than two workers are healthy", () => {
    expect(chunkCount(0, 12)).toBe(1);
    expect(chunkCount(1, 12)).toBe(1);
  });

  it("splits into the planned segments once several workers are online", () => {
    expect(chunkCount(2, 12)).toBe(12);
    expect(chunkCount(64, 3)).toBe(3);
    expect(chunkCount(4, 1)).toBe(1);
  });
});
