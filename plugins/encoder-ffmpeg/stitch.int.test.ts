// Split encoding end to end with a real ffmpeg: plan the chunks, encode them (video only), encode the
// audio once for the whole source, stitch, and prove the result before it may count: frames, seams,
// A/V sync, and seam SSIM against the source. Broken stitches (a chunk dropped, doubled, shifted, or
// taken from another clip) must be caught, by the check or by the seam figures.
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planSegments, type SegmentBounds } from "../../domain/job/planSegments.ts";
import { combineChunkEdges } from "../sdk/combineChunkEdges.ts";
import type {
  EncodePlan,
  EncodeProfile,
  SourceFrames,
  SourceInfo,
  Stitched,
  StitchRejected,
} from "../sdk/encoderPlugin.ts";
import type { ChunkEdgeSsim } from "../sdk/splitEncoding.ts";
import { buildAudioArgs } from "./buildAudioArgs.ts";
import { buildFfmpegArgs } from "./buildFfmpegArgs.ts";
import { builtInProfiles } from "./builtInProfiles.ts";
import { expectedStitch, type StitchExpectation } from "./expectedStitch.ts";
import {
  measureChunkEdgeSsim,
  measureSeamSsim,
  type SeamSsimOptions,
  sampleKeyframes,
} from "./measureSeamSsim.ts";
import { planAudio } from "./planAudio.ts";
import { planEncode } from "./planEncode.ts";
import { probeAudioTracks } from "./probeAudioTracks.ts";
import { probeKeyframes } from "./probeKeyframes.ts";
import { probeMedia } from "./probeMedia.ts";
import { probeStitched } from "./probeStitched.ts";
import { runCommand } from "./runCommand.ts";
import { stitchChunks } from "./stitchChunks.ts";

const ffmpegPath = process.env.FFMPEG_PATH ?? "ffmpeg";
const ffprobePath = process.env.FFPROBE_PATH ?? "ffprobe";
const tools = { ffmpegPath, ffprobePath };
// The issue's 10–120 s bounds scaled down to clips of a few seconds.
const bounds: SegmentBounds = { minSec: 1, targetSec: 2, maxSec: 3 };
const profile: EncodeProfile = {
  ...builtInProfiles["720p_h264"],
  video: { ...builtInProfiles["720p_h264"].video, preset: "superfast", maxFps: 30 },
};
const frame = 1 / 30;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "stitch-"));
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

interface ClipOptions {
  /** The video graph; a 320×180 30 fps test pattern by default. */
  readonly video?: string;
  /** Output options before the file name (a rate mode, a container). */
  readonly extra?: readonly string[];
  readonly extension?: string;
}

/** A test clip with the given audio tracks (sine tones, by language), keyframe every second. */
async function makeClip(name: string, seconds: number, audio: readonly string[], options: ClipOptions = {}) {
  const path = join(dir, `${name}-source.${options.extension ?? "mp4"}`);
  const tones = audio.map((_, i) => `sine=f=${440 + 220 * i}:d=${seconds}:r=48000[a${i}]`);
  await run(ffmpegPath, [
    "-hide_banner",
    "-v",
    "error",
    "-y",
    "-filter_complex",
    [`${options.video ?? `testsrc2=s=320x180:r=30:d=${seconds}`}[v]`, ...tones].join(";"),
    "-map",
    "[v]",
    ...audio.flatMap((_, i) => ["-map", `[a${i}]`]),
    "-c:v",
    "libx264",
    "-preset",
    "veryfast",
    "-g",
    "30",
    "-c:a",
    "aac",
    ...audio.flatMap((language, i) => [`-metadata:s:a:${i}`, `language=${language}`]),
    // The second track is an alternative, not played by default.
    ...audio.flatMap((_, i) => [`-disposition:a:${i}`, i === 0 ? "default" : "0"]),
    ...(options.extra ?? []),
    path,
  ]);
  return path;
}

interface Split {
  readonly clip: string;
  readonly source: SourceInfo;
  readonly frames: SourceFrames;
  readonly plans: readonly EncodePlan[];
  readonly chunks: readonly string[];
  readonly audio: string | null;
  readonly expected: StitchExpectation;
}

/** Probes, plans, encodes every chunk (two at a time) and the audio once; nothing stitched yet. */
async function split(name: string, clip: string, chosen: EncodeProfile = profile): Promise<Split> {
  const work = join(dir, name);
  await mkdir(work, { recursive: true });
  const source = await probeMedia(clip, { ffprobePath });
  if (source._tag !== "SourceInfo") throw new Error(source.message);
  const frames = await probeKeyframes(clip, source.video.index, { ffprobePath });
  if (frames._tag !== "SourceFrames") throw new Error(frames.message);
  const tracks = await probeAudioTracks(clip, { ffprobePath });
  if (!Array.isArray(tracks)) throw new Error("audio probe failed");
  const segments = planSegments(
    {
      durationSec: frames.endSec,
      frameTimesSec: frames.frameTimesSec,
      keyframeTimesSec: frames.keyframeTimesSec,
    },
    bounds,
  );
  if (!Array.isArray(segments)) throw new Error("bounds rejected");
  const plans = segments.map((s) =>
    planEncode(chosen, source, { chunk: { frames, startSec: s.startSec, endSec: s.endSec } }),
  );
  const audioPlan = planAudio(chosen, clip, tracks);
  const chunks = plans.map((_, i) => join(work, `chunk-${i}.${chosen.container}`));
  const audio = audioPlan === null ? null : join(work, `audio.${chosen.container}`);
  const jobs = [
    ...plans.map((plan, i) => () => run(ffmpegPath, buildFfmpegArgs(plan, chunks[i] ?? ""))),
    ...(audioPlan === null || audio === null
      ? []
      : [() => run(ffmpegPath, buildAudioArgs(audioPlan, audio))]),
  ];
  await inParallel(jobs, 2);
  return {
    clip,
    source,
    frames,
    plans,
    chunks,
    audio,
    expected: expectedStitch(frames, plans, audioPlan),
  };
}

async function inParallel(jobs: readonly (() => Promise<unknown>)[], width: number): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < jobs.length) await jobs[next++]?.();
  };
  await Promise.all(Array.from({ length: width }, lane));
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

function seamInput(s: Split, output: string, samples: Samples = {}) {
  const { width, height } = s.plans[0]?.expected.video ?? { width: 0, height: 0 };
  return {
    output,
    source: s.clip,
    frameRate: s.expected.frameRate,
    width,
    height,
    frameCount: s.expected.frameCount,
    seamsSec: s.expected.seamsSec,
    ...planned(s, samples),
  };
}

/** Where the mean's samples are read from, as the planner puts it in the stitch target. */
function planned(s: Split, samples: Samples) {
  const sourceVideoStartSec = s.frames.frameTimesSec[0] ?? 0;
  const { frameRate, frameCount } = s.expected;
  const keyframes = sampleKeyframes(
    s.frames.keyframeTimesSec,
    sourceVideoStartSec,
    frameRate,
    frameCount,
    samples,
  );
  return { sourceVideoStartSec, sampleKeyframesSec: keyframes };
}

type Samples = Pick<SeamSsimOptions, "sampleWindows" | "sampleFrames">;

/** Every chunk's own edge figures, measured on the chunk alone, as chunk tasks do before the stitch. */
async function chunkEdges(
  s: Split,
  samples: Samples,
  measuring: Partial<SeamSsimOptions> = {},
): Promise<ChunkEdgeSsim[]> {
  const { width, height } = s.plans[0]?.expected.video ?? { width: 0, height: 0 };
  return Promise.all(
    s.plans.map(async (plan, i) => {
      const firstFrame = plan.input.chunk?.firstFrame ?? 0;
      const edges = await measureChunkEdgeSsim(
        {
          chunk: s.chunks[i] ?? "",
          source: s.clip,
          frameRate: s.expected.frameRate,
          width,
          height,
          totalFrames: s.expected.frameCount,
          firstFrame,
          frameCount: plan.input.chunk?.frameCount ?? s.expected.frameCount - firstFrame,
          ...planned(s, samples),
        },
        { ffmpegPath, ...samples, ...measuring },
      );
      if (edges._tag !== "ChunkEdgeSsim") throw new Error(edges.message);
      return edges;
    }),
  );
}

/** The chunks' figures combined give the stitched output's own, frame for frame the same frames. */
async function expectChunkEdgesToMatchOutput(s: Split, output: string, samples: Samples = {}) {
  const measured = await measureSeamSsim(seamInput(s, output, samples), { ffmpegPath, ...samples });
  if (measured._tag !== "SeamReport") throw new Error(measured.message);
  const edges = await chunkEdges(s, samples);
  expect(edges[0]?.first).toBeNull();
  expect(edges.at(-1)?.last).toBeNull();
  const combined = combineChunkEdges(edges, s.expected.seamsSec);
  if (combined._tag !== "SeamReport") throw new Error(combined.message);
  expect(combined.meanSsim).toBeCloseTo(measured.meanSsim, 9);
  expect(combined.seams).toHaveLength(measured.seams.length);
  for (const [i, seam] of combined.seams.entries()) {
    expect(seam.timeSec).toBe(measured.seams[i]?.timeSec);
    expect(seam.ssim, `seam ${seam.index}`).toBeCloseTo(measured.seams[i]?.ssim ?? 0, 9);
  }
  return combined;
}

describe("stitch: chunks and the audio encoded once, proven before the job may complete", () => {
  let clean: Split;
  let cleanResult: Stitched | StitchRejected;
  const cleanOutput = () => join(dir, "clean.mp4");
  beforeAll(async () => {
    clean = await split("clean", await makeClip("clean", 6, ["eng"]));
    cleanResult = await stitchChunks({ ...clean, output: cleanOutput() }, tools);
  }, 60_000);

  it("stitches a clean split that passes every check, with A/V in sync and one continuous audio stream", async () => {
    expect(clean.plans.length).toBeGreaterThanOrEqual(3);
    expect(clean.plans.every((p) => p.audio.mode === "none")).toBe(true);
    const output = cleanOutput();
    expect(cleanResult).toMatchObject({ _tag: "Stitched", path: output, frameCount: 180 });
    expect(await exists(`${output}.partial.mp4`)).toBe(false);

    const facts = await probeStitched(output, { ffprobePath });
    if (facts._tag !== "StitchFacts") throw new Error(facts.message);
    // One audio encode, so one audio stream whose packets follow each other without a hole: no click.
    expect(facts.audio).toHaveLength(1);
    const [audio] = facts.audio;
    expect(audio?.language).toBe("eng");
    expect(audio?.largestStepSec).toBeCloseTo(audio?.packetSec ?? 0, 4);
    const videoStart = facts.video.startTimeSec + (facts.video.frameTimesSec[0] ?? 0);
    expect(Math.abs((audio?.startSec ?? 1) - videoStart)).toBeLessThan(frame);
    // AAC rounds up to whole 1024-sample frames.
    expect(Math.abs((audio?.durationSec ?? 0) - 6)).toBeLessThanOrEqual(1024 / 48_000 + 1e-6);
    // faststart: the index comes before the media data.
    const bytes = await readFile(output);
    expect(bytes.indexOf("moov")).toBeLessThan(bytes.indexOf("mdat"));
  });

  it("keeps every audio track with its language and default flag", async () => {
    const two = await split("languages", await makeClip("languages", 3, ["eng", "fra"]));
    const output = join(dir, "languages.mp4");
    expect(await stitchChunks({ ...two, output }, tools)).toMatchObject({ _tag: "Stitched" });
    const streams = JSON.parse(
      await run(ffprobePath, [
        "-v",
        "error",
        "-select_streams",
        "a",
        "-show_entries",
        "stream=codec_name:stream_tags=language:stream_disposition=default",
        "-of",
        "json",
        output,
      ]),
    ) as { streams: { codec_name: string; tags: { language: string }; disposition: { default: number } }[] };
    expect(streams.streams.map((s) => [s.codec_name, s.tags.language, s.disposition.default])).toEqual([
      ["aac", "eng", 1],
      ["aac", "fra", 0],
    ]);
  }, 30_000);

  it("stitches a source without audio to video alone", async () => {
    const silent = await split("silent", await makeClip("silent", 3, []));
    expect(silent.audio).toBeNull();
    const output = join(dir, "silent.mp4");
    expect(await stitchChunks({ ...silent, output }, tools)).toMatchObject({
      _tag: "Stitched",
      frameCount: 90,
    });
    const facts = await probeStitched(output, { ffprobePath });
    expect(facts).toMatchObject({ _tag: "StitchFacts", audio: [] });
  }, 30_000);

  it("refuses a stitch with a chunk dropped, and keeps the chunks", async () => {
    const output = join(dir, "dropped.mp4");
    const chunks = clean.chunks.filter((_, i) => i !== 1);
    const result = await stitchChunks({ ...clean, chunks, output }, tools);
    expect(result).toMatchObject({
      _tag: "StitchRejected",
      code: "WE-JOB-012",
      check: "frame_count",
      chunks,
    });
    expect(await exists(output)).toBe(false);
    for (const chunk of clean.chunks) expect(await exists(chunk)).toBe(true);
  });

  it("refuses a stitch with a chunk doubled", async () => {
    const output = join(dir, "doubled.mp4");
    const chunks = [clean.chunks[0] ?? "", ...clean.chunks];
    const result = await stitchChunks({ ...clean, chunks, output }, tools);
    expect(result).toMatchObject({ _tag: "StitchRejected", check: "frame_count" });
    expect(await exists(output)).toBe(false);
  });

  it("refuses a stitch with a chunk whose timestamps are shifted, naming the seam", async () => {
    const shifted = join(dir, "clean", "chunk-1-shifted.mp4");
    await run(ffmpegPath, [
      "-v",
      "error",
      "-y",
      "-itsoffset",
      "0.2",
      "-i",
      clean.chunks[1] ?? "",
      "-c",
      "copy",
      shifted,
    ]);
    const chunks = clean.chunks.map((c, i) => (i === 1 ? shifted : c));
    const result = await stitchChunks({ ...clean, chunks, output: join(dir, "shifted.mp4") }, tools);
    // The shifted chunk lasts 0.2 s longer, so the next one starts 0.2 s late.
    expect(result).toMatchObject({ _tag: "StitchRejected", check: "gap", seamIndex: 2 });
  });

  it("refuses a stitch whose chunk ends a frame early and the next a frame late, naming the seam", async () => {
    const [seam1 = 0, seam2 = 0] = clean.expected.seamsSec;
    const cut = seam1 - frame;
    const moved = await Promise.all(
      [
        [0, cut],
        [cut, seam2],
      ].map(async ([startSec = 0, endSec = 0], i) => {
        const plan = planEncode(profile, clean.source, { chunk: { frames: clean.frames, startSec, endSec } });
        const path = join(dir, "clean", `chunk-${i}-moved.mp4`);
        await run(ffmpegPath, buildFfmpegArgs(plan, path));
        return path;
      }),
    );
    const chunks = [...moved, ...clean.chunks.slice(2)];
    const result = await stitchChunks({ ...clean, chunks, output: join(dir, "moved.mp4") }, tools);
    expect(result).toMatchObject({ _tag: "StitchRejected", check: "seam_keyframe", seamIndex: 1 });
  });

  it("measures every seam of a clean stitch within 0.005 of the mean SSIM", async () => {
    expect(cleanResult._tag).toBe("Stitched");
    const output = cleanOutput();
    const report = await measureSeamSsim(seamInput(clean, output), { ffmpegPath });
    if (report._tag !== "SeamReport") throw new Error(report.message);
    expect(report.seams).toHaveLength(clean.chunks.length - 1);
    expect(report.meanSsim).toBeGreaterThan(0.9);
    for (const seam of report.seams)
      expect(Math.abs(seam.delta), `seam ${seam.index}`).toBeLessThanOrEqual(0.005);
    expect(report.seams.map((s) => s.timeSec)).toEqual(clean.expected.seamsSec);
  });

  it("measures the same seams and mean from each chunk's own edges, before any stitch", async () => {
    expect(cleanResult._tag).toBe("Stitched");
    const combined = await expectChunkEdgesToMatchOutput(clean, cleanOutput());
    for (const seam of combined.seams)
      expect(Math.abs(seam.delta), `seam ${seam.index}`).toBeLessThanOrEqual(0.005);
  });

  it("measures a chunk's edges on the worker's threads, each decoder's and the filters', with the same figures", async () => {
    const log = join(dir, "measuring-ffmpeg.log");
    const logging = join(dir, "measuring-ffmpeg");
    await writeFile(logging, `#!/bin/sh\necho "$*" >> "${log}"\nexec "${ffmpegPath}" "$@"\n`);
    await chmod(logging, 0o755);
    const own = await chunkEdges(clean, {});
    const onOneThread = await chunkEdges(clean, {}, { ffmpegPath: logging, threads: 1 });
    const runs = (await readFile(log, "utf8")).trim().split("\n");
    expect(runs).toHaveLength(clean.chunks.length);
    for (const run of runs) {
      const args = run.split(" ");
      expect(args.join(" ")).toContain("-filter_complex_threads 1");
      // every input's options, between the input before it and its -i, hold -threads 1
      const inputs = args.flatMap((arg, i) => (arg === "-i" ? [i] : []));
      expect(inputs.length).toBeGreaterThanOrEqual(2);
      for (const [n, at] of inputs.entries()) {
        const options = args.slice((inputs[n - 1] ?? -1) + 1, at);
        expect(options.join(" "), `input ${n}`).toContain("-threads 1");
      }
    }
    for (const [i, edges] of onOneThread.entries()) {
      for (const side of ["first", "last", "samples"] as const) {
        const expected = own[i]?.[side] ?? null;
        if (expected === null) expect(edges[side], `chunk ${i} ${side}`).toBeNull();
        else expect(edges[side]?.ssim, `chunk ${i} ${side}`).toBeCloseTo(expected.ssim, 9);
      }
    }
  });

  it("reads the mean's samples from the source's keyframes, frame-aligned: the mean of evenly placed samples, and the chunks' own the same", async () => {
    expect(cleanResult._tag).toBe("Stitched");
    // two samples over 6 s with a keyframe every second: each can start after one
    const samples = { sampleWindows: 2 };
    const { sampleKeyframesSec } = planned(clean, samples);
    expect(sampleKeyframesSec).toEqual([2, 5]);
    const fromKeyframes = await measureSeamSsim(seamInput(clean, cleanOutput(), samples), {
      ffmpegPath,
      ...samples,
    });
    const even = await measureSeamSsim(
      { ...seamInput(clean, cleanOutput(), samples), sampleKeyframesSec: [null, null] },
      { ffmpegPath, ...samples },
    );
    if (fromKeyframes._tag !== "SeamReport" || even._tag !== "SeamReport") throw new Error("not measured");
    // a sample read one frame off its source would fall far below (see "one frame late" below)
    expect(fromKeyframes.meanSsim).toBeGreaterThan(0.9);
    expect(Math.abs(fromKeyframes.meanSsim - even.meanSsim)).toBeLessThan(0.005);
    await expectChunkEdgesToMatchOutput(clean, cleanOutput(), samples);
  });

  it("shows a large seam delta where a chunk comes from another clip, which the frame checks cannot see", async () => {
    // Another pattern, same size, rate and keyframes: chunk 1's plan fits it as it is.
    const other = await makeClip("other", 6, [], { video: "testsrc=s=320x180:r=30:d=6" });
    const plan = clean.plans[1];
    if (plan === undefined) throw new Error("no chunk");
    const foreign = join(dir, "clean", "chunk-1-foreign.mp4");
    await run(ffmpegPath, buildFfmpegArgs({ ...plan, input: { ...plan.input, url: other } }, foreign));
    const chunks = clean.chunks.map((c, i) => (i === 1 ? foreign : c));
    const output = join(dir, "foreign.mp4");
    expect(await stitchChunks({ ...clean, chunks, output }, tools)).toMatchObject({ _tag: "Stitched" });
    const report = await measureSeamSsim(seamInput(clean, output), { ffmpegPath });
    if (report._tag !== "SeamReport") throw new Error(report.message);
    expect(report.seams[0]?.delta).toBeLessThan(-0.05);
  });

  it("shows a large seam delta where a chunk is one frame late", async () => {
    const late = join(dir, "clean", "chunk-1-late.mp4");
    const segment = clean.plans[1]?.input.chunk;
    if (segment === undefined) throw new Error("no chunk");
    const next = clean.plans[2]?.input.chunk?.firstFrame ?? 0;
    // The same frame count, planned one frame later: every picture of the chunk is its neighbour's.
    const plan = planEncode(profile, clean.source, {
      chunk: { frames: clean.frames, startSec: (segment.firstFrame + 1) * frame, endSec: (next + 1) * frame },
    });
    await run(ffmpegPath, buildFfmpegArgs(plan, late));
    const chunks = clean.chunks.map((c, i) => (i === 1 ? late : c));
    const output = join(dir, "late.mp4");
    expect(await stitchChunks({ ...clean, chunks, output }, tools)).toMatchObject({ _tag: "Stitched" });
    const report = await measureSeamSsim(seamInput(clean, output), { ffmpegPath });
    if (report._tag !== "SeamReport") throw new Error(report.message);
    // Half the window is a frame off: below the issue's 0.005 goal, where a clean seam never goes.
    expect(report.seams[0]?.delta).toBeLessThan(-0.005);
  }, 30_000);

  it("stitches a VFR source onto the encode's constant grid, every seam as good as the rest", async () => {
    const vfr = await split(
      "vfr",
      await makeClip("vfr", 5, ["eng"], {
        video: "testsrc2=s=320x180:r=30:d=5,select='lt(mod(n\\,10)\\,4)+lt(n\\,5)'",
        extra: ["-fps_mode", "vfr"],
      }),
    );
    expect(vfr.frames.variableFrameRate).toBe(true);
    expect(vfr.expected.frameCount).not.toBe(vfr.frames.frameCount);
    const output = join(dir, "vfr.mp4");
    const stitched = await stitchChunks({ ...vfr, output }, tools);
    expect(stitched).toMatchObject({ _tag: "Stitched", frameCount: vfr.expected.frameCount });
    // The grid is what the unsplit encode makes: the same frame count.
    const whole = join(dir, "vfr-whole.mp4");
    await run(ffmpegPath, buildFfmpegArgs(planEncode(profile, vfr.source), whole));
    const wholeFacts = await probeStitched(whole, { ffprobePath });
    if (wholeFacts._tag !== "StitchFacts") throw new Error(wholeFacts.message);
    expect(wholeFacts.video.frameCount).toBe(vfr.expected.frameCount);
    const report = await measureSeamSsim(seamInput(vfr, output), { ffmpegPath });
    if (report._tag !== "SeamReport") throw new Error(report.message);
    for (const seam of report.seams)
      expect(Math.abs(seam.delta), `seam ${seam.index}`).toBeLessThanOrEqual(0.005);
    // measured on each chunk before the stitch: the very same figures
    await expectChunkEdgesToMatchOutput(vfr, output);
  });

  it("keeps A/V in sync for MPEG-TS, whose timestamps start well after zero", async () => {
    const ts = await split(
      "late-start",
      await makeClip("late-start", 4, ["eng"], { extra: ["-f", "mpegts"], extension: "ts" }),
    );
    expect(ts.frames.startTimeSec).toBeGreaterThan(1);
    // The audio's priming leads the video: the container starts before the first video frame.
    expect(ts.frames.frameTimesSec[0]).toBeGreaterThan(0);
    const result = await stitchChunks({ ...ts, output: join(dir, "late-start.mp4") }, tools);
    // On failure, the proof's own words.
    expect(result._tag === "StitchRejected" ? result.message : "").toBe("");
    expect(result).toMatchObject({
      _tag: "Stitched",
      frameCount: 120,
    });
  });

  it("keeps a chunk list safe from file names with quotes", async () => {
    const odd = join(dir, "clean", "it's chunk 0.mp4");
    await copyFile(clean.chunks[0] ?? "", odd);
    const chunks = clean.chunks.map((c, i) => (i === 0 ? odd : c));
    const result = await stitchChunks({ ...clean, chunks, output: join(dir, "quoted.mp4") }, tools);
    expect(result).toMatchObject({ _tag: "Stitched", frameCount: 180 });
  });
});

describe("stitch in other codecs and containers", () => {
  const webm: EncodeProfile = {
    ...builtInProfiles["720p_vp9"],
    video: { ...builtInProfiles["720p_vp9"].video, preset: "8", maxFps: 30 },
  };
  const av1: EncodeProfile = {
    ...builtInProfiles["1080p_av1"],
    video: { ...builtInProfiles["1080p_av1"].video, preset: "12", maxFps: 30 },
  };

  const hevc: EncodeProfile = {
    ...builtInProfiles["4k_hevc"],
    video: { ...builtInProfiles["4k_hevc"].video, preset: "ultrafast" },
  };

  it.each([
    ["VP9 and Opus in WebM", webm, "matroska,webm", ["vp9", "opus"]],
    ["AV1 and Opus in MP4", av1, "mov,mp4,m4a,3gp,3g2,mj2", ["av1", "opus"]],
    ["HEVC and AAC in MP4", hevc, "mov,mp4,m4a,3gp,3g2,mj2", ["hevc", "aac"]],
  ] as const)(
    "stitches %s with stream copy and passes every check",
    async (_, chosen, format, codecs) => {
      const s = await split(
        `${chosen.name}-split`,
        await makeClip(`${chosen.name}-split`, 5, ["eng"]),
        chosen,
      );
      expect(s.plans.length).toBeGreaterThanOrEqual(2);
      const output = join(dir, `${chosen.name}.${chosen.container}`);
      const result = await stitchChunks({ ...s, output, container: chosen.container }, tools);
      expect(result, JSON.stringify(result)).toMatchObject({
        _tag: "Stitched",
        path: output,
        frameCount: 150,
      });
      const probed = JSON.parse(
        await run(ffprobePath, [
          "-v",
          "error",
          "-print_format",
          "json",
          "-show_format",
          "-show_streams",
          output,
        ]),
      ) as { format: { format_name: string }; streams: { codec_name: string; codec_tag_string: string }[] };
      expect(probed.format.format_name).toBe(format);
      expect(probed.streams.map((stream) => stream.codec_name)).toEqual(codecs);
      // Apple players take HEVC in MP4 only as hvc1, which stream copy must keep.
      if (codecs[0] === "hevc") expect(probed.streams[0]?.codec_tag_string).toBe("hvc1");
    },
    120_000,
  );
});
