// Split encoding with a real ffmpeg: plan segments from a probe of the source, encode each chunk with
// its plan, concatenate the chunks with the concat demuxer and stream copy, and check that the result
// holds exactly the frames an unsplit encode holds: none lost or doubled at a cut, on a keyframe or not.
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PlannedSegment, planSegments, type SegmentBounds } from "../../domain/job/planSegments.ts";
import type { EncodePlan, EncodeProfile, SourceFrames, SourceInfo } from "../sdk/encoderPlugin.ts";
import { buildFfmpegArgs } from "./buildFfmpegArgs.ts";
import { builtInProfiles } from "./builtInProfiles.ts";
import { gopFrames, snapToKeyframeGrid } from "./keyframeGrid.ts";
import { planEncode } from "./planEncode.ts";
import { probeKeyframes } from "./probeKeyframes.ts";
import { probeMedia } from "./probeMedia.ts";
import { rationalValue } from "./rationalValue.ts";
import { runCommand } from "./runCommand.ts";

const ffmpegPath = process.env.FFMPEG_PATH ?? "ffmpeg";
const ffprobePath = process.env.FFPROBE_PATH ?? "ffprobe";
// The 10–120 s bounds scaled down to clips of a few seconds.
const bounds: SegmentBounds = { minSec: 1, targetSec: 2, maxSec: 3 };
// B-frames on (unlike ultrafast), so chunks reorder frames as real encodes do.
const profile: EncodeProfile = {
  ...builtInProfiles["720p_h264"],
  video: { ...builtInProfiles["720p_h264"].video, preset: "superfast", maxFps: 30 },
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "chunk-encode-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(file: string, args: readonly string[]): Promise<string> {
  const result = await runCommand(file, args, { timeoutMs: 60_000 });
  if (result.exitCode !== 0)
    throw new Error(`${file} ${args.join(" ")}\n${result.stderr || result.spawnError}`);
  return result.stdout;
}

/** A 320×180 test pattern, encoded as `x264` says. */
async function makeClip(
  name: string,
  graph: string,
  x264: readonly string[],
  container = "mp4",
): Promise<string> {
  const path = join(dir, `${name}.${container === "mpegts" ? "ts" : "mp4"}`);
  await run(ffmpegPath, [
    "-hide_banner",
    "-v",
    "error",
    "-y",
    "-filter_complex",
    graph,
    "-c:v",
    "libx264",
    ...x264,
    "-f",
    container,
    path,
  ]);
  return path;
}

async function probeBoth(path: string): Promise<{ source: SourceInfo; frames: SourceFrames }> {
  const source = await probeMedia(path, { ffprobePath });
  if (source._tag !== "SourceInfo") throw new Error(source.message);
  const frames = await probeKeyframes(path, source.video.index, { ffprobePath });
  if (frames._tag !== "SourceFrames") throw new Error(frames.message);
  return { source, frames };
}

async function encode(plan: EncodePlan, output: string): Promise<string> {
  await run(ffmpegPath, buildFfmpegArgs(plan, output));
  return output;
}

/** Splits, encodes each chunk, stitches them with stream copy; returns the stitched file. */
async function encodeSplit(
  name: string,
  source: SourceInfo,
  frames: SourceFrames,
  segments: readonly Pick<PlannedSegment, "startSec" | "endSec">[],
  chosen: EncodeProfile = profile,
) {
  const work = join(dir, name);
  await mkdir(work, { recursive: true });
  const chunks: string[] = [];
  for (const [index, segment] of segments.entries()) {
    const plan = planEncode(chosen, source, {
      chunk: { frames, startSec: segment.startSec, endSec: segment.endSec },
    });
    expect(plan.audio).toEqual({ mode: "none" });
    chunks.push(await encode(plan, join(work, `chunk-${index}.${chosen.container}`)));
  }
  const list = join(work, "chunks.txt");
  await writeFile(list, chunks.map((c) => `file '${c}'\n`).join(""));
  const stitched = join(work, `stitched.${chosen.container}`);
  await run(ffmpegPath, [
    "-hide_banner",
    "-v",
    "error",
    "-y",
    "-f",
    "concat",
    "-safe",
    "0",
    "-i",
    list,
    "-c",
    "copy",
    stitched,
  ]);
  return stitched;
}

/** Presentation times of the decoded frames, in the order the decoder hands them out, and the duration. */
async function decoded(path: string): Promise<{ times: number[]; durationSec: number }> {
  const out = await run(ffprobePath, [
    "-v",
    "error",
    "-select_streams",
    "v:0",
    "-show_entries",
    "frame=pts_time:format=duration",
    "-of",
    "json",
    path,
  ]);
  const { frames, format } = JSON.parse(out) as {
    frames: { pts_time: string }[];
    format: { duration: string };
  };
  return { times: frames.map((f) => Number(f.pts_time)), durationSec: Number(format.duration) };
}

let psnrRuns = 0;

/** The worst per-frame PSNR (dB) of `a` against `b`, frame n against frame n + `shift`. */
async function worstPsnr(a: string, b: string, shift = 0): Promise<number> {
  psnrRuns += 1;
  const stats = join(dir, `psnr-${psnrRuns}.log`);
  await run(ffmpegPath, [
    "-hide_banner",
    "-i",
    a,
    "-i",
    b,
    "-lavfi",
    `[0:v]setpts=N/TB/30,format=yuv420p[a];[1:v]trim=start_frame=${shift},setpts=N/TB/30,format=yuv420p[b];[a][b]psnr=stats_file=${stats}`,
    "-f",
    "null",
    "-",
  ]);
  const values = (await readFile(stats, "utf8"))
    .split("\n")
    .map((line) => /psnr_avg:(\S+)/.exec(line)?.[1])
    .filter((v): v is string => v !== undefined)
    .map((v) => (v === "inf" ? Number.POSITIVE_INFINITY : Number(v)));
  return Math.min(...values);
}

/**
 * The stitched file against a reference of the same frames (the source itself for a constant rate
 * that the profile keeps, else the unsplit encode): same count, times strictly increasing and the
 * same within half a frame, the source's duration within one frame, and the same pictures in order.
 * Returns the number of frames.
 */
async function expectSameFrames(
  stitched: string,
  reference: string,
  frames: SourceFrames,
  rate: number,
): Promise<number> {
  const [got, want] = [await decoded(stitched), await decoded(reference)];
  expect(got.times.length).toBe(want.times.length);
  for (let i = 1; i < got.times.length; i++) {
    expect(got.times[i], `frame ${i}`).toBeGreaterThan(got.times[i - 1] ?? 0);
  }
  const [start, wantStart] = [got.times[0] ?? 0, want.times[0] ?? 0];
  for (const [i, t] of got.times.entries()) {
    expect(Math.abs(t - start - ((want.times[i] ?? 0) - wantStart)), `frame ${i}`).toBeLessThanOrEqual(
      0.5 / rate,
    );
  }
  expect(Math.abs(got.durationSec - frames.endSec)).toBeLessThanOrEqual(1 / rate + 1e-6);
  // Same pictures in order: a lost or doubled frame shifts every frame after it, which PSNR sees
  // (test (a) shows how far a one-frame shift drops it).
  expect(await worstPsnr(stitched, reference)).toBeGreaterThan(40);
  return got.times.length;
}

describe("split encodes with frame-exact chunks, stitched by the concat demuxer", () => {
  it("(a) regular keyframes: cuts on keyframes, the stitched file has exactly the source's frames", async () => {
    const clip = await makeClip("regular", "testsrc2=s=320x180:r=30:d=5", [
      "-preset",
      "veryfast",
      "-g",
      "30",
      "-sc_threshold",
      "0",
    ]);
    const { source, frames } = await probeBoth(clip);
    expect(frames).toMatchObject({
      frameCount: 150,
      declaredFrameCount: 150,
      variableFrameRate: false,
      openGop: false,
    });
    expect(frames.keyframeTimesSec).toHaveLength(5);
    const segments = plan(frames);
    expect(segments.length).toBeGreaterThan(1);
    expect(segments.every((s) => s.startsOnKeyframe)).toBe(true);
    const stitched = await encodeSplit("regular", source, frames, segments);
    expect(await expectSameFrames(stitched, clip, frames, 30)).toBe(frames.frameCount);
    // The check above is sharp: the same files one frame apart fall far below its 40 dB.
    expect(await worstPsnr(stitched, clip, 1)).toBeLessThan(30);
  });

  it("(b) a keyframe every 5 s with 1–3 s segments: cuts between keyframes, no frame lost or doubled", async () => {
    const clip = await makeClip("sparse", "testsrc2=s=320x180:r=30:d=6", [
      "-preset",
      "veryfast",
      "-g",
      "150",
      "-keyint_min",
      "150",
      "-sc_threshold",
      "0",
    ]);
    const { source, frames } = await probeBoth(clip);
    expect(frames.keyframeTimesSec).toEqual([0, 5]);
    const segments = plan(frames);
    expect(segments.filter((s) => !s.startsOnKeyframe).length).toBeGreaterThan(0);
    const stitched = await encodeSplit("sparse", source, frames, segments);
    expect(await expectSameFrames(stitched, clip, frames, 30)).toBe(180);
  });

  it("(c) a single keyframe: every cut is decode-accurate, the frames still all there once", async () => {
    const clip = await makeClip("single", "testsrc2=s=320x180:r=25:d=5", [
      "-preset",
      "veryfast",
      "-g",
      "1000",
      "-sc_threshold",
      "0",
    ]);
    const { source, frames } = await probeBoth(clip);
    expect(frames.keyframeTimesSec).toEqual([0]);
    const segments = plan(frames);
    expect(segments.length).toBeGreaterThan(2);
    expect(segments.slice(1).every((s) => !s.startsOnKeyframe)).toBe(true);
    const stitched = await encodeSplit("single", source, frames, segments);
    expect(await expectSameFrames(stitched, clip, frames, 25)).toBe(125);
  });

  it("(d) variable frame rate: the stitched file equals the unsplit encode frame for frame", async () => {
    const clip = await makeClip("vfr", "testsrc2=s=320x180:r=30:d=5,select='lt(mod(n\\,10)\\,4)+lt(n\\,5)'", [
      "-fps_mode",
      "vfr",
      "-preset",
      "veryfast",
      "-g",
      "40",
    ]);
    const { source, frames } = await probeBoth(clip);
    expect(frames.variableFrameRate).toBe(true);
    const segments = plan(frames);
    expect(segments.length).toBeGreaterThan(1);
    const whole = await encode(planEncode(profile, source), join(dir, "vfr-whole.mp4"));
    const stitched = await encodeSplit("vfr", source, frames, segments);
    await expectSameFrames(stitched, whole, frames, 30);
  });

  it("(e) open GOP: keyframes whose leading frames refer back still cut cleanly", async () => {
    const clip = await makeClip("open-gop", "testsrc2=s=320x180:r=30:d=5", [
      "-preset",
      "veryfast",
      "-bf",
      "3",
      "-x264opts",
      "open-gop=1:keyint=45:min-keyint=45:scenecut=0",
    ]);
    const { source, frames } = await probeBoth(clip);
    expect(frames.openGop).toBe(true);
    const segments = plan(frames);
    expect(segments.some((s) => s.index > 0 && s.startsOnKeyframe)).toBe(true);
    const stitched = await encodeSplit("open-gop", source, frames, segments);
    expect(await expectSameFrames(stitched, clip, frames, 30)).toBe(frames.frameCount);
  });

  it("(f) a 60 fps source the profile halves to 30 fps: the chunks share the unsplit encode's frame grid", async () => {
    const clip = await makeClip("halved", "testsrc2=s=320x180:r=60:d=4", ["-preset", "veryfast", "-g", "60"]);
    const { source, frames } = await probeBoth(clip);
    const segments = plan(frames);
    const whole = await encode(planEncode(profile, source), join(dir, "halved-whole.mp4"));
    expect(rationalValue(planEncode(profile, source).video.frameRate)).toBe(30);
    const stitched = await encodeSplit("halved", source, frames, segments);
    expect(await expectSameFrames(stitched, whole, frames, 30)).toBe(120);
  });
  it("(g) MPEG-TS, whose timestamps start well after zero: chunks seek and lay their grid from the container's start", async () => {
    const clip = await makeClip(
      "late-start",
      "testsrc2=s=320x180:r=30:d=4",
      ["-preset", "veryfast", "-g", "30"],
      "mpegts",
    );
    const { source, frames } = await probeBoth(clip);
    expect(frames.startTimeSec).toBeGreaterThan(1);
    expect(frames.frameTimesSec[0]).toBeCloseTo(0, 6);
    const stitched = await encodeSplit("late-start", source, frames, plan(frames));
    expect(await expectSameFrames(stitched, clip, frames, 30)).toBe(120);
  });

  it.each([
    ["H.264 in MP4", "h264", "mp4", "veryfast"],
    ["VP9 in WebM", "vp9", "webm", "8"],
    ["AV1 in MP4", "av1", "mp4", "12"],
  ] as const)(
    "(h) aligned keyframes, %s: cuts off the grid move onto it, keyframes only on the grid",
    async (name, codec, container, preset) => {
      const clip = await makeClip(`aligned-${codec}`, "testsrc2=s=320x180:r=30:d=5", [
        "-preset",
        "veryfast",
        "-g",
        "45",
      ]);
      const { source, frames } = await probeBoth(clip);
      const chosen: EncodeProfile = {
        ...profile,
        name,
        video: { ...profile.video, codec, preset, keyframeIntervalSec: 1, alignedKeyframes: true },
        audio: null,
        container,
      };
      const cuts = [
        { startSec: 0, endSec: 1.6 },
        { startSec: 1.6, endSec: 3.4 },
        { startSec: 3.4, endSec: 5 },
      ];
      const snapped = snapToKeyframeGrid(cuts, frames, "30/1", gopFrames("30/1", 1));
      expect(snapped.map((s) => s.startSec)).toEqual([0, 2, 3]);
      const stitched = await encodeSplit(`aligned-${codec}`, source, frames, snapped, chosen);
      expect((await decoded(stitched)).times).toHaveLength(150);
      const keyframes = (
        await run(ffprobePath, [
          "-v",
          "error",
          "-select_streams",
          "v:0",
          "-show_entries",
          "packet=pts_time,flags",
          "-of",
          "csv=p=0",
          stitched,
        ])
      )
        .trim()
        .split("\n")
        .filter((line) => line.split(",")[1]?.includes("K"))
        .map((line) => Number(Number(line.split(",")[0]).toFixed(2)));
      expect(keyframes).toEqual([0, 1, 2, 3, 4]);
    },
  );
});

function plan(frames: SourceFrames): readonly PlannedSegment[] {
  const segments = planSegments(
    {
      durationSec: frames.endSec,
      frameTimesSec: frames.frameTimesSec,
      keyframeTimesSec: frames.keyframeTimesSec,
    },
    bounds,
  );
  if (!Array.isArray(segments)) throw new Error("bounds rejected");
  return segments;
}
