import { describe, expect, it } from "vitest";
import { builtInProfiles } from "../../plugins/encoder-ffmpeg/builtInProfiles.ts";
import type { EncodeProfile, SourceFrames, SourceInfo } from "../../plugins/sdk/encoderPlugin.ts";
import type { SplitEncoding } from "../../plugins/sdk/splitEncoding.ts";
import { type PlannedTask, plannedTaskSchema } from "../../schemas/events/jobEvents.ts";
import type { LadderTier, ProfileSpec } from "../../schemas/profiles/profileSpec.ts";
import { sourceInfoFixture } from "../../test/support/createFakeEncoder.ts";
import { displaySize, needsGraphPlan, planLadderTasks } from "./planLadderTasks.ts";

const jobId = "5b0c7f0e-8d7a-4c51-9a3e-2f6d1c0b9e11";

function framesOf(seconds: number): SourceFrames {
  const times = Array.from({ length: seconds * 30 }, (_, i) => i / 30);
  return {
    _tag: "SourceFrames",
    videoStreamIndex: 0,
    startTimeSec: 0,
    frameTimesSec: times,
    keyframeTimesSec: times.filter((_, i) => i % 60 === 0),
    endSec: seconds,
    frameCount: times.length,
    declaredFrameCount: times.length,
    frameRate: "30/1",
    avgFrameRate: "30/1",
    variableFrameRate: false,
    openGop: false,
  };
}

const split = (frames: SourceFrames): Pick<SplitEncoding, "probeFrames" | "planSplit"> => ({
  probeFrames: async () => frames,
  planSplit: (profile, _source, probed, segments) => ({
    target: {
      frameRate: "30/1",
      frameCount: probed.frameCount,
      durationSec: probed.endSec,
      videoStartSec: 0,
      width: profile.video.maxWidth,
      height: profile.video.maxHeight,
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

const tier = (name: string, maxWidth: number, maxHeight: number, bitrateKbps: number): LadderTier => ({
  name,
  maxWidth,
  maxHeight,
  bitrateKbps,
  maxrateKbps: bitrateKbps,
  bufsizeKbps: bitrateKbps * 2,
  enabled: true,
});

const abr: ProfileSpec = {
  name: "ABR",
  description: "",
  video: { ...builtInProfiles["1080p_h264"].video },
  audio: { codec: "aac", bitrateKbps: 128, sampleRate: 48_000, channels: 2 },
  container: "mp4",
  hardware: "off",
  packaging: { hls: true, dash: true, segmentSec: 6, encryption: "none" },
  ladder: [tier("1080p", 1920, 1080, 5000), tier("720p", 1280, 720, 2500), tier("480p", 854, 480, 1000)],
  thumbnails: { intervalSec: 10, width: 160, storyboard: true },
  subtitles: "extract",
  maxAttempts: 3,
};

const encodeProfileOf = (spec: ProfileSpec, t?: LadderTier): EncodeProfile => ({
  ...builtInProfiles["720p_h264"],
  name: t?.name ?? spec.name,
  video: {
    ...builtInProfiles["720p_h264"].video,
    maxWidth: t?.maxWidth ?? 1280,
    maxHeight: t?.maxHeight ?? 720,
  },
});

const source720 = (seconds: number): SourceInfo => ({
  ...sourceInfoFixture("/media/talk.mp4"),
  durationSec: seconds,
  video: { ...sourceInfoFixture("/media/talk.mp4").video, width: 1280, height: 720 },
});

const plan = async (
  spec: ProfileSpec,
  workers: number,
  seconds: number,
  subtitles = 2,
  splitting: ReturnType<typeof split> = split(framesOf(seconds)),
) => {
  const tasks = await planLadderTasks(
    {
      encoder: { split: splitting },
      workerPool: { healthyWorkers: async () => workers },
      segmentBounds: { minSec: 10, targetSec: 45, maxSec: 120 },
      encodeProfileOf,
      subtitleTrackCount: async () => subtitles,
    },
    jobId,
    spec,
    source720(seconds),
  );
  if (!Array.isArray(tasks)) throw new Error(JSON.stringify(tasks));
  return tasks;
};

const byId = (tasks: PlannedTask[], id: string) => tasks.find((t) => t.taskId === id)!;

describe("planLadderTasks", () => {
  it("plans one worker's ladder: audio, subtitles, thumbnails, one video task making every rendition that fits from one decode, the package last", async () => {
    const tasks = await plan(abr, 1, 60);
    expect(tasks.map((t) => [t.kind, t.rendition, t.renditions])).toEqual([
      ["audio", undefined, undefined],
      ["subtitles", undefined, undefined],
      ["thumbnails", undefined, undefined],
      ["video", undefined, ["720p", "480p"]],
      ["package", undefined, undefined],
    ]);
    const pkg = tasks.at(-1)!;
    expect(pkg.dependsOn?.map((id) => byId(tasks, id).kind).sort()).toEqual(["audio", "subtitles", "video"]);
    expect(
      tasks.every((t) => (t.dependsOn ?? []).every((id) => byId(tasks, id).sequenceIndex < t.sequenceIndex)),
    ).toBe(true);
    // cut frame-exactly over the whole source, so every rendition holds video only on the same grid
    const video = tasks.find((t) => t.kind === "video")!;
    expect(video.chunk).toMatchObject({ seekSec: 0, firstFrame: 0, frameCount: null });
    expect([video.startTimeSec, video.endTimeSec]).toEqual([0, 60]);
    expect(plannedTaskSchema.safeParse(video).success).toBe(true);
  });

  it("refuses a task of several renditions that also names one, or names one twice", () => {
    const task = {
      taskId: "9a4c3a5e-54f4-4c4e-9b35-0d4f3f9d8a11",
      sequenceIndex: 0,
      startTimeSec: 0,
      endTimeSec: 1,
      kind: "video" as const,
    };
    expect(plannedTaskSchema.safeParse({ ...task, renditions: ["720p", "480p"] }).success).toBe(true);
    expect(plannedTaskSchema.safeParse({ ...task, renditions: ["720p", "720p"] }).success).toBe(false);
    expect(
      plannedTaskSchema.safeParse({ ...task, rendition: "720p", renditions: ["720p", "480p"] }).success,
    ).toBe(false);
    expect(
      plannedTaskSchema.safeParse({ ...task, kind: "stitch", renditions: ["720p", "480p"] }).success,
    ).toBe(false);
  });

  it("splits the ladder into chunks across several workers, each chunk making every tier from one decode, and stitches each tier before the package", async () => {
    const tasks = await plan(abr, 2, 120);
    const chunks = tasks.filter((t) => t.kind === "video");
    expect(chunks.length % 2).toBe(0);
    for (const chunk of chunks) {
      expect(chunk.renditions).toEqual(["720p", "480p"]);
      expect(chunk.rendition).toBeUndefined();
      expect(chunk.chunk).toBeDefined();
    }
    // the chunks cover the source in order, without gap
    expect(chunks[0]!.startTimeSec).toBe(0);
    for (const [i, chunk] of chunks.slice(1).entries())
      expect(chunk.startTimeSec).toBe(chunks[i]!.endTimeSec);
    expect(chunks.at(-1)!.endTimeSec).toBe(120);
    const stitches = tasks.filter((t) => t.kind === "stitch");
    expect(stitches.map((t) => t.rendition)).toEqual(["720p", "480p"]);
    for (const stitch of stitches) {
      expect(stitch.dependsOn).toEqual(chunks.map((c) => c.taskId));
      expect(stitch.stitch?.width).toBe(stitch.rendition === "720p" ? 1280 : 854);
    }
    expect(tasks.at(-1)!.dependsOn).toEqual(expect.arrayContaining(stitches.map((t) => t.taskId)));
    expect(tasks.every((t) => plannedTaskSchema.safeParse(t).success)).toBe(true);
  });

  it("cuts a split ladder's chunks evenly where the source's keyframes fall unevenly", async () => {
    // a keyframe every 250 frames (8.33 s): cut on keyframes, two chunks would be 33.3 s and 26.7 s
    const sparse = {
      ...framesOf(60),
      keyframeTimesSec: framesOf(60).frameTimesSec.filter((_, i) => i % 250 === 0),
    };
    const tasks = await plan(abr, 2, 60, 0, split(sparse));
    const chunks = tasks.filter((t) => t.kind === "video");
    expect(chunks.map((t) => [t.startTimeSec, t.endTimeSec])).toEqual([
      [0, 30],
      [30, 60],
    ]);
  });

  it("mixes the audio into each tier's stitch of a split ladder that packages nothing", async () => {
    const tasks = await plan({ ...abr, packaging: null, thumbnails: null, subtitles: "none" }, 2, 120);
    const chunks = tasks.filter((t) => t.kind === "video");
    const audio = tasks.find((t) => t.kind === "audio")!;
    for (const stitch of tasks.filter((t) => t.kind === "stitch"))
      expect(stitch.dependsOn).toEqual([...chunks.map((c) => c.taskId), audio.taskId]);
  });

  it("keeps each tier's own chunks where the tiers are cut differently (another frame rate)", async () => {
    const whole = split(framesOf(120));
    const tasks = await plan(abr, 2, 120, 0, {
      ...whole,
      // the 480p tier on a 15 fps grid: its chunks hold other frames
      planSplit: (profile, source, probed, segments) => {
        const planned = whole.planSplit(profile, source, probed, segments);
        if (profile.name !== "480p") return planned;
        return {
          ...planned,
          chunks: planned.chunks.map((c) => ({ ...c, firstFrame: Math.round(c.firstFrame / 2) })),
        };
      },
    });
    const stitches = tasks.filter((t) => t.kind === "stitch");
    expect(stitches.map((t) => t.rendition)).toEqual(["720p", "480p"]);
    for (const stitch of stitches) {
      const parts = stitch.dependsOn!.map((id) => byId(tasks, id));
      expect(parts.every((p) => p.kind === "video" && p.rendition === stitch.rendition)).toBe(true);
      expect(parts.length % 2).toBe(0);
    }
    expect(tasks.some((t) => t.renditions !== undefined)).toBe(false);
  });

  it("makes each rendition a progressive file with the audio muxed in when the profile packages nothing", async () => {
    const tasks = await plan({ ...abr, packaging: null, thumbnails: null, subtitles: "none" }, 1, 60);
    expect(tasks.map((t) => t.kind)).toEqual(["audio", "video", "stitch", "video", "stitch"]);
    for (const stitch of tasks.filter((t) => t.kind === "stitch"))
      expect(stitch.dependsOn!.map((id) => byId(tasks, id).kind)).toEqual(["video", "audio"]);
  });

  it("adds no subtitles task for a source without subtitle tracks", async () => {
    const tasks = await plan(abr, 1, 60, 0);
    expect(tasks.some((t) => t.kind === "subtitles")).toBe(false);
  });

  it("knows which profiles need more than one file, and a turned source's shown size", () => {
    expect(needsGraphPlan(abr)).toBe(true);
    expect(needsGraphPlan({ ...abr, ladder: [], packaging: null, thumbnails: null, subtitles: "none" })).toBe(
      false,
    );
    expect(
      needsGraphPlan({ ...abr, ladder: [], packaging: null, thumbnails: null, subtitles: "burn_in" }),
    ).toBe(false);
    const turned = source720(10);
    expect(displaySize({ ...turned, video: { ...turned.video, rotation: 90 } })).toEqual({
      width: 720,
      height: 1280,
    });
  });
});
