import { describe, expect, it } from "vitest";
import { createPreviewAudience } from "./previewAudience.ts";

describe("preview audience", () => {
  it("counts the players seen within the window, each once, per stream", () => {
    let at = 0;
    const audience = createPreviewAudience({ windowMs: 10_000, now: () => at });
    audience.seen("a", "player 1");
    audience.seen("a", "player 2");
    audience.seen("b", "player 1");
    at = 2_000;
    audience.seen("a", "player 1"); // its next playlist request
    expect([audience.count("a"), audience.count("b"), audience.count("c")]).toEqual([2, 1, 0]);
    at = 10_500; // player 2 and b's player have not asked again for 10 s
    expect([audience.count("a"), audience.count("b")]).toEqual([1, 0]);
    at = 12_001;
    expect(audience.count("a")).toBe(0);
  });
});
