import { describe, expect, it } from "vitest";
import { formatBitrate } from "./formatBitrate.ts";

describe("formatBitrate", () => {
  it("says kb/s below a megabit and Mb/s above", () => {
    expect(formatBitrate(849.6)).toBe("850 kb/s");
    expect(formatBitrate(5200)).toBe("5.2 Mb/s");
    expect(formatBitrate(null)).toBe("—");
  });
});
