import { describe, expect, it } from "vitest";
import { ffmpegInputArgs } from "./ffmpegInputArgs.ts";

describe("ffmpegInputArgs", () => {
  it("opens a local file through the file protocol only", () => {
    expect(
      ffmpegInputArgs({ _tag: "Resolved", path: "/srv/media/videos/a.mp4", relative: "videos/a.mp4" }),
    ).toEqual(["-protocol_whitelist", "file", "-i", "file:/srv/media/videos/a.mp4"]);
  });

  it("keeps a colon in a local name from reading as a protocol", () => {
    const args = ffmpegInputArgs({
      _tag: "Resolved",
      path: "/srv/media/http:evil.m3u8",
      relative: "http:evil.m3u8",
    });
    expect(args.at(-1)).toBe("file:/srv/media/http:evil.m3u8");
  });

  it("opens a remote URL over http(s) only, following no redirects", () => {
    expect(
      ffmpegInputArgs({
        _tag: "Allowed",
        url: "https://media.example.com/live/master.m3u8",
        hostname: "media.example.com",
        addresses: [{ address: "93.184.216.34", family: 4 }],
      }),
    ).toEqual([
      "-protocol_whitelist",
      "http,https,tcp,tls",
      "-max_redirects",
      "0",
      "-i",
      "https://media.example.com/live/master.m3u8",
    ]);
  });

  it("puts the whitelist before -i, where ffmpeg applies it to that input", () => {
    for (const args of [
      ffmpegInputArgs({ _tag: "Resolved", path: "/m/a.mp4", relative: "a.mp4" }),
      ffmpegInputArgs({ _tag: "Allowed", url: "http://8.8.8.8/", hostname: "8.8.8.8", addresses: [] }),
    ]) {
      expect(args.indexOf("-protocol_whitelist")).toBeLessThan(args.indexOf("-i"));
      expect(args.indexOf("-i")).toBe(args.length - 2);
    }
  });
});
