import { describe, expect, it } from "vitest";
import { hlsMediaPlaylist } from "./hlsMediaPlaylist.ts";

describe("hlsMediaPlaylist", () => {
  it("lists fMP4 segments after their init section, with a target duration no rounded EXTINF exceeds", () => {
    expect(
      hlsMediaPlaylist({
        init: "init.mp4",
        segments: [
          { uri: "seg_00001.m4s", durationSec: 6.016 },
          { uri: "seg_00002.m4s", durationSec: 6.4 },
          { uri: "seg_00003.m4s", durationSec: 0.02 },
        ],
        key: null,
      }),
    ).toBe(
      [
        "#EXTM3U",
        "#EXT-X-VERSION:7",
        "#EXT-X-TARGETDURATION:6",
        "#EXT-X-MEDIA-SEQUENCE:0",
        "#EXT-X-PLAYLIST-TYPE:VOD",
        "#EXT-X-INDEPENDENT-SEGMENTS",
        '#EXT-X-MAP:URI="init.mp4"',
        "#EXTINF:6.016000,",
        "seg_00001.m4s",
        "#EXTINF:6.400000,",
        "seg_00002.m4s",
        "#EXTINF:0.020000,",
        "seg_00003.m4s",
        "#EXT-X-ENDLIST",
        "",
      ].join("\n"),
    );
  });

  it("puts the AES-128 key after the init section, so only the segments are encrypted", () => {
    const playlist = hlsMediaPlaylist({
      init: "init.mp4",
      segments: [{ uri: "seg_00001.m4s", durationSec: 2 }],
      key: { uri: 'https://keys.example/k?a=1&b="2"', ivHex: "0F0E0D0C0B0A09080706050403020100" },
    });
    expect(playlist).toContain(
      `#EXT-X-MAP:URI="init.mp4"\n#EXT-X-KEY:METHOD=AES-128,URI="https://keys.example/k?a=1&b='2'",IV=0x0f0e0d0c0b0a09080706050403020100\n`,
    );
  });

  it("makes a subtitle playlist of one WebVTT file without an init section", () => {
    const playlist = hlsMediaPlaylist({
      init: null,
      segments: [{ uri: "eng.vtt", durationSec: 12.066 }],
      key: null,
    });
    expect(playlist).not.toContain("EXT-X-MAP");
    expect(playlist).toContain("#EXT-X-TARGETDURATION:12\n");
    expect(playlist).toContain("#EXTINF:12.066000,\neng.vtt\n#EXT-X-ENDLIST\n");
  });
});
