import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTestClip } from "../../test/support/makeTestClip.ts";
import { probeKeyframes } from "./probeKeyframes.ts";

const ffprobePath = process.env.FFPROBE_PATH ?? "ffprobe";
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "probe-keyframes-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("probeKeyframes with a real ffprobe", () => {
  it("lists every frame and the keyframes of the chosen stream, counted and declared", async () => {
    const clip = await makeTestClip(dir, "clip.mp4", { durationSec: 2, fps: 25, audio: ["sine"] });
    const frames = await probeKeyframes(clip, 0, { ffprobePath });
    expect(frames).toMatchObject({
      _tag: "SourceFrames",
      videoStreamIndex: 0,
      startTimeSec: 0,
      frameCount: 50,
      declaredFrameCount: 50,
      frameRate: "25/1",
      endSec: 2,
      variableFrameRate: false,
    });
    if (frames._tag !== "SourceFrames") return;
    expect(frames.frameTimesSec).toEqual(Array.from({ length: 50 }, (_, i) => i / 25));
    expect(frames.keyframeTimesSec[0]).toBe(0);
    expect(frames.keyframeTimesSec.every((k) => frames.frameTimesSec.includes(k))).toBe(true);
  });

  it("sees uneven frame times as a variable rate", async () => {
    const clip = await makeTestClip(dir, "vfr.mp4", { durationSec: 2, variableFrameRate: true });
    expect(await probeKeyframes(clip, 0, { ffprobePath })).toMatchObject({ variableFrameRate: true });
  });

  it("fails clearly for an audio stream, a file that is not media, and an http(s) source", async () => {
    const clip = await makeTestClip(dir, "with-audio.mp4", { durationSec: 1, audio: ["sine"] });
    expect(await probeKeyframes(clip, 1, { ffprobePath })).toMatchObject({
      _tag: "ProbeFailure",
      message: "stream 1 is not a video stream",
    });
    const junk = join(dir, "junk.mp4");
    await writeFile(junk, "not a video at all");
    expect(await probeKeyframes(junk, 0, { ffprobePath })).toMatchObject({
      _tag: "ProbeFailure",
      message: expect.stringMatching(/ffprobe failed/),
    });
    expect(await probeKeyframes("https://cdn.example/in.mp4", 0, { ffprobePath })).toMatchObject({
      _tag: "ProbeFailure",
    });
  });
});
