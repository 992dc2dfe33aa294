import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { reconnectDelay } from "./reconnectDelay.ts";

describe("reconnectDelay", () => {
  it("doubles from half a second up to ten, less at most a fifth of jitter", () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => reconnectDelay(n, 0))).toEqual([
      500, 1000, 2000, 4000, 8000, 10_000, 10_000,
    ]);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, r) => {
        const delay = reconnectDelay(n, r);
        return delay >= 400 && delay <= 10_000 && delay >= reconnectDelay(n, 0) * 0.8 - 1;
      }),
    );
  });
});
