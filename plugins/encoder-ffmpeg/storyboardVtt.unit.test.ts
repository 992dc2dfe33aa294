import { describe, expect, it } from "vitest";
import { cellOf, storyboardVtt, vttTime } from "./storyboardVtt.ts";

const layout = { columns: 3, rows: 2, width: 160, height: 90 };

describe("storyboardVtt", () => {
  it("writes WebVTT times as hh:mm:ss.mmm", () => {
    expect(vttTime(0)).toBe("00:00:00.000");
    expect(vttTime(3725.5)).toBe("01:02:05.500");
    expect(vttTime(9.9996)).toBe("00:00:10.000");
  });

  it("fills sheets row by row, then starts the next sheet", () => {
    expect(cellOf(0, layout)).toEqual({ sheet: 0, x: 0, y: 0 });
    expect(cellOf(4, layout)).toEqual({ sheet: 0, x: 160, y: 90 });
    expect(cellOf(6, layout)).toEqual({ sheet: 1, x: 0, y: 0 });
  });

  it("gives every thumbnail a cue up to the next one, the last up to the end", () => {
    const vtt = storyboardVtt([0, 10, 20], 25, layout, (sheet) => `sprite-${sheet}.jpg`);
    expect(vtt).toBe(
      [
        "WEBVTT",
        "",
        "00:00:00.000 --> 00:00:10.000",
        "sprite-0.jpg#xywh=0,0,160,90",
        "",
        "00:00:10.000 --> 00:00:20.000",
        "sprite-0.jpg#xywh=160,0,160,90",
        "",
        "00:00:20.000 --> 00:00:25.000",
        "sprite-0.jpg#xywh=320,0,160,90",
        "",
      ].join("\n"),
    );
  });
});
