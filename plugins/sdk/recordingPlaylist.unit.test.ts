import { describe, expect, it } from "vitest";
import { listedSegments, playlistSegments, recordingPlaylist } from "./recordingPlaylist.ts";

const name = (index: number) => `segment-${String(index).padStart(6, "0")}.ts`;

describe("recordingPlaylist", () => {
  it("lists the segments so far as a growing event playlist, a discontinuity where the publisher came back", () => {
    const playlist = recordingPlaylist(
      [
        { index: 0, durationSeconds: 2, discontinuity: false },
        { index: 1, durationSeconds: 1.2, discontinuity: false },
        { index: 2, durationSeconds: 2.04, discontinuity: true },
      ],
      name,
      false,
    );
    expect(playlist).toBe(
      [
        "#EXTM3U",
        "#EXT-X-VERSION:3",
        "#EXT-X-TARGETDURATION:3",
        "#EXT-X-MEDIA-SEQUENCE:0",
        "#EXT-X-PLAYLIST-TYPE:EVENT",
        "#EXTINF:2.000,",
        "segment-000000.ts",
        "#EXTINF:1.200,",
        "segment-000001.ts",
        "#EXT-X-DISCONTINUITY",
        "#EXTINF:2.040,",
        "segment-000002.ts",
        "",
      ].join("\n"),
    );
  });

  it("closes the playlist once the session ended", () => {
    const playlist = recordingPlaylist([{ index: 0, durationSeconds: 2, discontinuity: false }], name, true);
    expect(playlist).toContain("#EXT-X-PLAYLIST-TYPE:VOD");
    expect(playlist.endsWith("#EXT-X-ENDLIST\n")).toBe(true);
  });
});

describe("listedSegments", () => {
  it("reads the closed segments of an ffmpeg HLS playlist", () => {
    const playlist = [
      "#EXTM3U",
      "#EXT-X-VERSION:3",
      "#EXT-X-TARGETDURATION:2",
      "#EXT-X-MEDIA-SEQUENCE:4",
      "#EXTINF:2.000000,",
      "segment-000004.ts",
      "#EXTINF:1.960000,",
      "segment-000005.ts",
    ].join("\n");
    expect(listedSegments(playlist)).toEqual([
      { uri: "segment-000004.ts", durationSeconds: 2 },
      { uri: "segment-000005.ts", durationSeconds: 1.96 },
    ]);
    expect(listedSegments("#EXTM3U\n")).toEqual([]);
  });

  it("reads back the segments of a stored playlist, growing or ended, with their numbers and discontinuities", () => {
    const segments = [
      { index: 0, durationSeconds: 2, discontinuity: false },
      { index: 1, durationSeconds: 1.2, discontinuity: false },
      { index: 2, durationSeconds: 2.04, discontinuity: true },
    ];
    expect(playlistSegments(recordingPlaylist(segments, name, false))).toEqual(segments);
    expect(playlistSegments(recordingPlaylist(segments, (index) => `x/${name(index)}`, true))).toEqual(
      segments,
    );
    expect(playlistSegments("")).toEqual([]);
  });
});
