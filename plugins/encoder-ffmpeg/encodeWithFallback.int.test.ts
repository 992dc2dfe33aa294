// The run-time fallback with a real ffmpeg behind a stand-in whose NVENC breaks mid-encode: the worker
// proved h264_nvenc at start, the GPU fails later, and the attempt is encoded again in software.
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrokenGpuFfmpeg, writeBrokenGpuFfmpeg } from "../../test/support/brokenGpuFfmpeg.ts";
import { inspectMedia } from "../../test/support/inspectMedia.ts";
import { makeTestClip } from "../../test/support/makeTestClip.ts";
import type { EncoderCapabilities, EncoderPlugin, ProvenEncoder } from "../sdk/encoderPlugin.ts";
import { builtInProfiles } from "./builtInProfiles.ts";
import { createFfmpegEncoder } from "./createFfmpegEncoder.ts";

let dir: string;
let ffmpeg: BrokenGpuFfmpeg;
let encoder: EncoderPlugin;
let clip: string;

const nvenc: ProvenEncoder = { name: "h264_nvenc", codec: "h264", hardware: true };
const x264: ProvenEncoder = { name: "libx264", codec: "h264", hardware: false };
/** What a worker on a GPU machine proved at start, before its GPU broke. */
const claimed: EncoderCapabilities = {
  encoders: [nvenc, x264],
  hwaccels: ["cuda"],
  audioCodecs: ["aac"],
  containers: ["mp4"],
};
const profile = builtInProfiles["480p_fast"];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "encode-fallback-"));
  ffmpeg = await writeBrokenGpuFfmpeg(dir);
  encoder = createFfmpegEncoder({
    stateDir: join(dir, "state"),
    ffmpegPath: ffmpeg.path,
    capabilities: claimed,
  });
  clip = await makeTestClip(dir, "clip.mp4", { durationSec: 1, audio: ["sine"] });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const encodersRun = async (from: number) =>
  (await ffmpeg.calls())
    .slice(from)
    .map((args) => /-c:v (\S+)/.exec(args)?.[1])
    .filter((name) => name !== undefined);

describe("a hardware encode that fails at run time", () => {
  it("is encoded again at once in software into the same attempt, and the outcome says so", async () => {
    const source = await encoder.probe(clip);
    if (source._tag !== "SourceInfo") throw new Error(source.message);
    const plan = await encoder.plan(profile, source, undefined, [nvenc, x264]);
    expect(plan.video).toMatchObject({ encoder: "h264_nvenc", hardware: true });
    expect(plan.fallbackVideo?.encoder).toBe("libx264");

    const before = (await ffmpeg.calls()).length;
    const workDir = join(dir, "work-1");
    const outcome = await encoder.encode(plan, { workDir, attemptId: "1" });
    if (outcome._tag !== "Encoded") throw new Error(`${outcome.message}\n${outcome.stderrTail}`);

    expect(await encodersRun(before)).toEqual(["h264_nvenc", "libx264"]);
    expect(outcome.encoder).toBe("libx264");
    expect(outcome.fallback).toEqual({
      from: "h264_nvenc",
      exitClass: "transient",
      message: expect.stringContaining("Error submitting video frame to the encoder"),
    });
    expect(outcome.path).toBe(join(workDir, "1.mp4"));
    expect(await readdir(workDir)).toEqual(["1.mp4"]);
    const media = await inspectMedia(outcome.path);
    expect(media.streams.find((s) => s.codec_type === "video")).toMatchObject({
      codec_name: "h264",
      width: plan.expected.video.width,
      height: plan.expected.video.height,
    });
    expect(Number(media.format.duration)).toBeCloseTo(1, 1);
  });

  it("is not retried when the source is at fault: a corrupt input fails once, as an input error", async () => {
    const good = await encoder.probe(clip);
    if (good._tag !== "SourceInfo") throw new Error(good.message);
    const corrupt = join(dir, "corrupt.mp4");
    await writeFile(corrupt, randomBytes(64 * 1024));
    // planned while the source was good; it is corrupt by the time the GPU runs
    const plan = await encoder.plan(profile, { ...good, input: corrupt }, undefined, [nvenc, x264]);
    const before = (await ffmpeg.calls()).length;
    const outcome = await encoder.encode(plan, { workDir: join(dir, "work-2"), attemptId: "1" });
    expect(outcome).toMatchObject({ _tag: "EncodeFailed", exitClass: "input" });
    expect(await encodersRun(before)).toEqual(["h264_nvenc"]);
  });

  it("drives no hardware encoder this machine did not prove, whatever the choice names", async () => {
    const software = createFfmpegEncoder({
      stateDir: join(dir, "state-2"),
      ffmpegPath: ffmpeg.path,
      capabilities: { ...claimed, encoders: [x264], hwaccels: [] },
    });
    const source = await software.probe(clip);
    if (source._tag !== "SourceInfo") throw new Error(source.message);
    const plan = await software.plan(profile, source, undefined, [nvenc, x264]);
    expect(plan.video).toMatchObject({ encoder: "libx264", hardware: false });
    expect(plan.fallbackVideo).toBeUndefined();
  });
});
