import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { keyFromUrlPath } from "../../plugins/sdk/storageKey.ts";
import { sanitizeUploadFileName } from "./sanitizeUploadFileName.ts";

const bytes = (text: string) => Buffer.byteLength(text, "utf8");

describe("sanitizeUploadFileName", () => {
  it.each([
    ["talk.mp4", "talk.mp4"],
    ["Ma vidéo d'été.mov", "Ma vidéo d'été.mov"],
    ["動画ファイル.mkv", "動画ファイル.mkv"],
    ["🎬 final cut (v2).mp4", "🎬 final cut (v2).mp4"],
    ["Cafe\u0301.mp4", "Café.mp4"], // NFC
    ["../../etc/passwd", "passwd"],
    ["..\\..\\windows\\system32\\cmd.exe", "cmd.exe"],
    ["C:\\Users\\ana\\Videos\\clip.mp4", "clip.mp4"],
    ["/var/tmp/", "tmp"],
    [".htaccess", "htaccess"],
    ["...hidden.mp4", "hidden.mp4"],
    ["  spaced.mp4  ", "spaced.mp4"],
    ["trailing dots.mp4...", "trailing dots.mp4"],
    ["a\u0000b.mp4", "a_b.mp4"],
    ["line\nbreak.mp4", "line_break.mp4"],
    ['what?*<>|:".mp4', "what_______.mp4"],
    ["100% real.mp4", "100_ real.mp4"],
    ["%2e%2e%2fescape.mp4", "_2e_2e_2fescape.mp4"],
    ["evil\u202Egnp.mp4", "evilgnp.mp4"], // right-to-left override dropped
    ["a\uD800b\uDFFF.mp4", "a_b_.mp4"], // lone surrogates (JSON can carry them)
    ["a\uFE68b.mp4", "a_b.mp4"], // small reverse solidus: "\\" under NFKC
    ["a\uFF0Fb.mp4", "a_b.mp4"], // fullwidth solidus
    ["\u2025\uFF0Fetc", "__etc"], // "‥／" would read as "../" after NFKC
    ["50\uFF05.mp4", "50_.mp4"], // fullwidth percent
    ["", "upload"],
    ["..", "upload"],
    ["/", "upload"],
    ["   ", "upload"],
  ])("%j → %j", (input, output) => {
    expect(sanitizeUploadFileName(input)).toBe(output);
  });

  it("keeps the extension when it shortens a long name, cutting on a code point", () => {
    const name = sanitizeUploadFileName(`${"é".repeat(300)}.mp4`);
    expect(name.endsWith(".mp4")).toBe(true);
    expect(bytes(name)).toBeLessThanOrEqual(160);
    expect(name).toBe(`${"é".repeat(78)}.mp4`);
    const emoji = sanitizeUploadFileName(`${"🎬".repeat(100)}.webm`);
    expect(bytes(emoji)).toBeLessThanOrEqual(160);
    expect(emoji).toMatch(/^(🎬)+\.webm$/u);
  });

  it("yields one safe segment that round-trips through an fs:// URL, for any input", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: "grapheme", maxLength: 400 }),
          fc.string({ unit: "binary" }),
          fc
            .array(fc.oneof(fc.constantFrom("\uD800", "\uDFFF", "\uFE68", "\u2025", "."), fc.string()))
            .map((parts) => parts.join("")),
        ),
        (input) => {
          const name = sanitizeUploadFileName(input);
          expect(name.length).toBeGreaterThan(0);
          expect(bytes(name)).toBeLessThanOrEqual(160);
          expect(name).not.toMatch(/[/\\%]|\p{Cc}/u);
          expect(name.startsWith(".")).toBe(false);
          expect(name).toBe(name.trim());
          expect(Buffer.from(name, "utf8").toString("utf8")).toBe(name); // no lone surrogates
          // the fs:// URL an upload answers with names exactly the stored key
          expect(keyFromUrlPath(`uploads/${encodeURIComponent(`x-${name}`)}`)).toBe(`uploads/x-${name}`);
        },
      ),
      { numRuns: 3000 },
    );
  }, 60_000); // 3,000 runs: seconds on a loaded machine
});
