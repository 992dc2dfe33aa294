import { describe, expect, it } from "vitest";
import { concatList } from "./concatList.ts";

describe("concatList", () => {
  it("quotes each path and escapes quotes as the concat demuxer reads them", () => {
    expect(concatList(["/w/a.mp4", "/w/it's b.mp4"])).toBe("file '/w/a.mp4'\nfile '/w/it'\\''s b.mp4'\n");
  });

  it("refuses relative paths, line breaks (which would start a directive of their own) and an empty list", () => {
    expect(() => concatList(["chunk.mp4"])).toThrow(/absolute/);
    expect(() => concatList(["/w/a.mp4'\nfile '/etc/passwd"])).toThrow(/line break/);
    expect(() => concatList([])).toThrow(/at least one/);
  });
});
