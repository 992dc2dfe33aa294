import { describe, expect, it } from "vitest";
import { sourceSubtitles } from "./sourceSubtitles.ts";

const tracks = [
  { index: 2, text: false, codec: "hdmv_pgs_subtitle" },
  { index: 3, text: true, codec: "subrip" },
  { index: 4, text: true, codec: "mov_text" },
];
const kept = (...indexes: number[]) =>
  indexes.map((index) => ({ streamIndex: index, codec: tracks.find((t) => t.index === index)!.codec }));

describe("sourceSubtitles", () => {
  it("burns the first track in, bitmap or text", () => {
    expect(sourceSubtitles("burn_in", tracks, "mp4")).toEqual({
      burnInSubtitle: { streamIndex: 2, text: false },
    });
    expect(sourceSubtitles("burn_in", tracks.slice(1), "webm")).toEqual({
      burnInSubtitle: { streamIndex: 3, text: true },
    });
  });

  it("keeps the text tracks as soft tracks in MP4 and WebM, and every track in Matroska", () => {
    expect(sourceSubtitles("passthrough", tracks, "mp4")).toEqual({ keepSubtitles: kept(3, 4) });
    expect(sourceSubtitles("passthrough", tracks, "webm")).toEqual({ keepSubtitles: kept(3, 4) });
    expect(sourceSubtitles("passthrough", tracks, "mkv")).toEqual({ keepSubtitles: kept(2, 3, 4) });
  });

  it("changes nothing for a source without tracks, or for none and extract", () => {
    expect(sourceSubtitles("burn_in", [], "mp4")).toEqual({});
    expect(sourceSubtitles("passthrough", [tracks[0]!], "mp4")).toEqual({});
    expect(sourceSubtitles("none", tracks, "mp4")).toEqual({});
    expect(sourceSubtitles("extract", tracks, "mkv")).toEqual({});
  });
});
