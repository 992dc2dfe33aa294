import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseFsUrl } from "./parseFsUrl.ts";

const segmentsOf = (url: string): readonly string[] | string => {
  const parsed = parseFsUrl(url);
  return parsed._tag === "FsPath" ? parsed.segments : parsed.reason;
};

describe("parseFsUrl", () => {
  it.each([
    ["fs://a/b.mp4", ["a", "b.mp4"]],
    ["fs://talk.mp4", ["talk.mp4"]],
    ["FS://Videos/Talk.MP4", ["Videos", "Talk.MP4"]],
    ["fs://uploads/caf%C3%A9%20%23%3F.mp4", ["uploads", "café #?.mp4"]],
    ["fs://%E5%8B%95%E7%94%BB/%F0%9F%8E%AC.mkv", ["動画", "🎬.mkv"]],
    ["fs://a/..b/c..", ["a", "..b", "c.."]],
    ["fs://.hidden/...", [".hidden", "..."]],
    ["fs://100%25 real.mp4", ["100% real.mp4"]],
  ])("accepts %s", (url, segments) => {
    expect(segmentsOf(url)).toEqual(segments);
  });

  it.each([
    ["fs://../etc/passwd", "path_traversal"],
    ["fs://a/../../etc/passwd", "path_traversal"],
    ["fs://a/./b.mp4", "path_traversal"],
    ["fs://..", "path_traversal"],
    ["fs://%2e%2e/etc/passwd", "path_traversal"],
    ["fs://%2E%2E/etc/passwd", "path_traversal"],
    ["fs://.%2e/etc/passwd", "path_traversal"],
    ["fs://a/%2e", "path_traversal"],
    ["fs://a/%E2%80%A5/b", "path_traversal"], // U+2025 "‥" is ".." under NFKC
    ["fs://a/%EF%BC%8E%EF%BC%8E/b", "path_traversal"], // fullwidth "．．"
    ["fs://%252e%252e/etc/passwd", "double_encoding"],
    ["fs://%25252e%25252e/etc/passwd", "double_encoding"],
    ["fs://a%252fb", "double_encoding"],
    ["fs://a%2f..%2fb", "forbidden_character"],
    ["fs://..%2fetc/passwd", "forbidden_character"],
    ["fs://%2fetc/passwd", "forbidden_character"],
    ["fs://a%5c..%5cb", "forbidden_character"],
    ["fs://..\\etc\\passwd", "forbidden_character"],
    ["fs://a\\b.mp4", "forbidden_character"],
    ["fs://a%EF%BC%8Fb", "forbidden_character"], // fullwidth solidus "／"
    ["fs://a.mp4%00.txt", "forbidden_character"],
    ["fs://a.mp4\u0000.txt", "forbidden_character"],
    ["fs://a/b\n.mp4", "forbidden_character"],
    ["fs://a.mp4?x=1", "forbidden_character"],
    ["fs://a.mp4#t=10", "forbidden_character"],
    ["fs:///etc/passwd", "absolute_path"],
    ["fs:////etc/passwd", "absolute_path"],
    ["fs://", "malformed_url"],
    ["fs://a//b.mp4", "malformed_url"],
    ["fs://a/", "malformed_url"],
    ["fs://a/%zz.mp4", "malformed_url"],
    ["fs://a/%C3.mp4", "malformed_url"],
    ["fs://100% real.mp4", "malformed_url"],
    ["fs:a/b.mp4", "unsupported_scheme"],
    ["file:///etc/passwd", "unsupported_scheme"],
    ["http://example.com/a.mp4", "unsupported_scheme"],
  ])("refuses %j (%s)", (url, reason) => {
    expect(segmentsOf(url)).toBe(reason);
  });

  it("answers malformed URLs with WE-JOB-001 and refused ones with WE-JOB-002", () => {
    expect(parseFsUrl("fs://a/%zz")).toMatchObject({ code: "WE-JOB-001" });
    expect(parseFsUrl("fs://../x")).toMatchObject({ code: "WE-JOB-002" });
    const refused = parseFsUrl("fs:///etc/passwd");
    expect(refused._tag).toBe("SourceRefused");
    if (refused._tag === "SourceRefused") {
      expect(refused.message.length).toBeGreaterThan(0);
      expect(refused.hint).toContain("fs://");
    }
  });

  it("never yields a segment that a path join could climb or split on, for any input", () => {
    const fragment = fc.oneof(
      fc.constantFrom(".", "..", "/", "\\", "%2e", "%2E", "%2f", "%5c", "%25", "%00", "\u0000", "a", "b.mp4"),
      fc.constantFrom("%252e", "\u2025", "%E2%80%A5", "\uFF0E", "\uFF0F", "%", "?", "#", ""),
      fc.string(),
      fc.string({ unit: "grapheme" }),
    );
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 12 }), (parts) => {
        const parsed = parseFsUrl(`fs://${parts.join("")}`);
        if (parsed._tag === "SourceRefused") return;
        expect(parsed.segments.length).toBeGreaterThan(0);
        for (const segment of parsed.segments) {
          for (const form of [segment, segment.normalize("NFKC")]) {
            expect(form).not.toBe("");
            expect(form).not.toBe(".");
            expect(form).not.toBe("..");
            expect(form).not.toMatch(/[/\\]|\p{Cc}/u);
          }
          expect(segment).not.toMatch(/%[0-9a-f]{2}/i);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
