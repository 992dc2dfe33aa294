import { describe, expect, it } from "vitest";
import { srtStreamKey } from "./srtStreamKey.ts";

describe("srtStreamKey", () => {
  it("takes the bare key, MediaMTX's publish:live/KEY and SRT's access-control form", () => {
    expect(srtStreamKey("live_abc")).toBe("live_abc");
    expect(srtStreamKey("publish:live/live_abc")).toBe("live_abc");
    expect(srtStreamKey("#!::r=live/live_abc,m=publish")).toBe("live_abc");
    expect(srtStreamKey("#!::m=publish,r=live_abc")).toBe("live_abc");
  });
});
