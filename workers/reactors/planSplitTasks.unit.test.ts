import { describe, expect, it } from "vitest";
import { builtInProfiles } from "../../plugins/encoder-ffmpeg/builtInProfiles.ts";
import type { SourceFrames, SourceInfo } from "../../plugins/sdk/encoderPlugin.ts";
import type { SplitEncoding } from "../../plugins/sdk/splitEncoding.ts";
import { sourceInfoFixture } from "../../test/support/createFakeEncoder.ts";
import { planSplitTasks } from "./planSplitTasks.ts";

const profile = builtInProfiles["720p_h264"];
const jobId = "5b0c7f0e-8d7a-4c51-9a3e-2f6d1c0b9e11";
const bounds = { minSec: 10, targetSec: 45, maxSec: 120 };

/** 30 fps with a keyframe every 2 s; `declared` is what the container's index promises. */
function framesOf(seconds: number, declared = seconds * 30): SourceFrames {
  const times = Array.from({ length: seconds * 30 }, (_, i) => i / 30);
  return {
    _tag: "SourceFrames",
    videoStreamIndex: 0,
    startTimeSec: 0,
    frameTimesSec: times,
    keyframeTimesSec: times.filter((_, i) => i % 60 === 0),
    endSec: seconds,
    frameCount: times.length,
    declaredFrameCount: declared,
    frameRate: "30/1",
    avgFrameRate: "30/1",
    variableFrameRate: false,
    openGop: false,
  };
}

/** What planning uses of the encoder's split support; the planner never encodes. */
const split = (frames: SourceFrames): Pick<SplitEncoding, "probeFrames" | "planSplit"> => ({
  probeFrames: async () => frames,
  planSplit: (_profile, _source, probed, segments) => ({
    target: {
      frameRate: "30/1",
      frameCount: probed.frameCount,
      durationSec: probed.endSec,
      videoStartSec: 0,
      width: 1280,
      height: 720,
    },
    chunks: segments.map(({ startSec, endSec }) => ({
      seekSec: startSec,
      firstFrame: Math.round(startSec * 30),
      frameCount: null,
      gridStartSec: startSec,
      durationSec: endSec - startSec,
    })),
  }),
});

const source = (seconds: number, audio = true): SourceInfo => ({
  ...sourceInfoFixture("/media/talk.mp4"),
  durationSec: seconds,
  ...(audio ? {} : { audio: null, audioTrackCount: 0 }),
});

const plan = (workers: number, seconds: number, options: { audio?: boolean; declared?: number } = {}) =>
  planSplitTasks(
    {
      encoder: { split: split(framesOf(seconds, options.declared)) },
      workerPool: { healthyWorkers: async () => workers },
      segmentBounds: bounds,
    },
    jobId,
    profile,
    source(seconds, options.audio),
  );

describe("planSplitTasks (smart chunking)", () => {
  it("keeps a job whole with one healthy worker, or a source too short for two segments", async () => {
    expect(await plan(1, 600)).toMatchObject({ _tag: "NotSplit", reason: "1 healthy worker" });
    expect(await plan(4, 15)).toMatchObject({ _tag: "NotSplit" });
  });

  it("splits for several workers into a multiple of them, then the audio, then the stitch last", async () => {
    const tasks = await plan(2, 120);
    if (!Array.isArray(tasks)) throw new Error(JSON.stringify(tasks));
    expect(tasks.map((t) => t.kind)).toEqual(["video", "video", "audio", "stitch"]);
    // Two chunks of 60 s, cut on the keyframe at 60 s: the audio runs beside them, taking no time of its own
    expect(tasks.map((t) => [t.startTimeSec, t.endTimeSec])).toEqual([
      [0, 60],
      [60, 120],
      [0, 120],
      [0, 120],
    ]);
    expect(tasks.map((t) => t.sequenceIndex)).toEqual([0, 1, 2, 3]);
    expect(tasks[3]?.stitch).toMatchObject({ frameCount: 3600, frameRate: "30/1" });
    expect(new Set(tasks.map((t) => t.taskId)).size).toBe(4);
  });

  it("plans no audio task for a source without audio, and cuts on keyframes then", async () => {
    const tasks = await plan(3, 300, { audio: false });
    if (!Array.isArray(tasks)) throw new Error(JSON.stringify(tasks));
    expect(tasks.filter((t) => t.kind === "audio")).toEqual([]);
    expect(tasks.filter((t) => t.kind === "video").map((t) => t.startTimeSec % 2)).toEqual([
      0, 0, 0, 0, 0, 0,
    ]);
    expect(tasks.filter((t) => t.kind === "video").length % 3).toBe(0);
  });

  it("refuses a source whose index promises frames its file does not hold", async () => {
    expect(await plan(2, 120, { declared: 7200 })).toMatchObject({
      _tag: "SourceTruncated",
      message: expect.stringMatching(/index lists 7200 video frames, its file holds 3600/),
    });
  });
});
