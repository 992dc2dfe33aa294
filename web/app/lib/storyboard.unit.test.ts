import { describe, expect, it } from "vitest";
import { cueAt, parseStoryboard } from "./storyboard.ts";

const vtt = `WEBVTT

00:00:00.000 --> 00:00:10.000
sprite-0.jpg#xywh=0,0,160,90

00:00:10.000 --> 00:00:20.000
sprite-0.jpg#xywh=160,0,160,90

00:01:40.000 --> 00:01:50.000
sprite-1.jpg#xywh=0,90,160,90
`;

describe("parseStoryboard", () => {
  const base = "https://kernel.example/v1/play/TOKEN/storyboard.vtt";
  const cues = parseStoryboard(vtt, base);

  it("reads each cue's time and sprite region, the sprite resolved against the storyboard's URL", () => {
    expect(cues).toHaveLength(3);
    expect(cues[1]).toEqual({
      startSec: 10,
      endSec: 20,
      image: "https://kernel.example/v1/play/TOKEN/sprite-0.jpg",
      x: 160,
      y: 0,
      width: 160,
      height: 90,
    });
    expect(cues[2]).toMatchObject({
      startSec: 100,
      image: "https://kernel.example/v1/play/TOKEN/sprite-1.jpg",
      y: 90,
    });
  });

  it("finds the cue shown at a time", () => {
    expect(cueAt(cues, 0)?.x).toBe(0);
    expect(cueAt(cues, 15)?.x).toBe(160);
    expect(cueAt(cues, 105)?.image).toMatch(/sprite-1/);
  });

  it("skips cues it cannot read", () => {
    expect(parseStoryboard("WEBVTT\n\n00:00:00.000 --> 00:00:10.000\nsprite.jpg\n", base)).toEqual([]);
  });
});
