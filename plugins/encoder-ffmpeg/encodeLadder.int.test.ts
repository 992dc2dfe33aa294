// The tiers of a ladder with a real ffmpeg: one run decodes the source once for every tier, each output
// verified on its own; tiers that cannot share a decode are encoded one after another, a broken GPU
// falling back to software; and a run that fails or is cancelled leaves no output behind.
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtInProfiles } from "../../domain/profile/builtInProfiles.ts";
import type { LadderTier, ProfileSpec } from "../../schemas/profiles/profileSpec.ts";
import { type BrokenGpuFfmpeg, writeBrokenGpuFfmpeg } from "../../test/support/brokenGpuFfmpeg.ts";
import { inspectMedia } from "../../test/support/inspectMedia.ts";
import { makeTestClip } from "../../test/support/makeTestClip.ts";
import { encodeProfileOf } from "../sdk/encodeProfileOf.ts";
import type { EncodePlan, EncoderPlugin, ProvenEncoder, SourceInfo } from "../sdk/encoderPlugin.ts";
import { createFfmpegEncoder } from "./createFfmpegEncoder.ts";

const x264: ProvenEncoder = { name: "libx264", codec: "h264", hardware: false };
const nvenc: ProvenEncoder = { name: "h264_nvenc", codec: "h264", hardware: true };
const tier = (name: string, maxWidth: number, maxHeight: number, bitrateKbps: number): LadderTier => ({
  name,
  maxWidth,
  maxHeight,
  bitrateKbps,
  maxrateKbps: bitrateKbps,
  bufsizeKbps: bitrateKbps * 2,
  enabled: true,
});
const abr = builtInProfiles.hls_abr_3tier!;
const spec: ProfileSpec = {
  ...abr,
  video: { ...abr.video, preset: "superfast" },
  ladder: [tier("360p", 640, 360, 800), tier("240p", 426, 240, 400), tier("144p", 256, 144, 200)],
};

let dir: string;
let ffmpeg: BrokenGpuFfmpeg;
let encoder: EncoderPlugin;
let source: SourceInfo;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "encode-ladder-"));
  ffmpeg = await writeBrokenGpuFfmpeg(dir);
  encoder = createFfmpegEncoder({
    stateDir: join(dir, "state"),
    ffmpegPath: ffmpeg.path,
    capabilities: { encoders: [nvenc, x264], hwaccels: ["cuda"], audioCodecs: ["aac"], containers: ["mp4"] },
  });
  const clip = await makeTestClip(dir, "clip.mp4", { width: 640, height: 360, durationSec: 2, fps: 25 });
  const probed = await encoder.probe(clip);
  if (probed._tag !== "SourceInfo") throw new Error(probed.message);
  source = probed;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Each tier planned as a worker plans a task of several renditions: the whole source, cut frame-exactly. */
async function plans(
  encoders: readonly ProvenEncoder[][] = spec.ladder.map(() => [x264]),
): Promise<EncodePlan[]> {
  const split = encoder.split!;
  const frames = await split.probeFrames(source.input, source.video.index);
  if (frames._tag !== "SourceFrames") throw new Error(frames.message);
  return Promise.all(
    spec.ladder.map((t, i) => {
      const profile = encodeProfileOf(spec, t);
      const [chunk] = split.planSplit(profile, source, frames, [
        { startSec: 0, endSec: frames.endSec },
      ]).chunks;
      return encoder.plan(profile, source, { startSec: 0, endSec: frames.endSec }, encoders[i], chunk);
    }),
  );
}

const callsSince = async (from: number) => (await ffmpeg.calls()).slice(from);
const videoOf = async (path: string) => {
  const media = await inspectMedia(path);
  return media.streams.find((s) => s.codec_type === "video")!;
};

describe("encodeLadder", () => {
  it("makes every tier in one ffmpeg run from one decode, each output verified with its own size and every frame", async () => {
    const before = (await ffmpeg.calls()).length;
    const workDir = join(dir, "one-run");
    const progress: number[] = [];
    const outcome = await encoder.encodeLadder!(await plans(), {
      workDir,
      attemptId: "1",
      onProgress: (tick) => progress.push(tick.pct),
    });
    if (outcome._tag !== "EncodedLadder") throw new Error(`${outcome.message}\n${outcome.stderrTail}`);

    const calls = await callsSince(before);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toContain("split=3");
    expect(outcome.outputs.map((o) => o.path)).toEqual(
      ["1.mp4", "1.1.mp4", "1.2.mp4"].map((f) => join(workDir, f)),
    );
    expect((await readdir(workDir)).sort()).toEqual(["1.1.mp4", "1.2.mp4", "1.mp4"]);
    const sizes = [];
    for (const output of outcome.outputs) {
      const video = await videoOf(output.path);
      sizes.push([video.width, video.height]);
      expect(video.codec_name).toBe("h264");
      expect(Number(video.nb_frames)).toBe(50);
      expect(output.checksum).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(output.durationSec).toBeCloseTo(2, 1);
    }
    expect(sizes).toEqual([
      [640, 360],
      [426, 240],
      [256, 144],
    ]);
    expect(Math.max(...progress)).toBeGreaterThan(50);
  });

  it("encodes tiers that cannot share a decode one after another, a broken GPU tier again in software", async () => {
    const before = (await ffmpeg.calls()).length;
    const workDir = join(dir, "one-by-one");
    const planned = await plans([[x264], [nvenc, x264], [x264]]);
    expect(planned[1]!.video.hardware).toBe(true);
    const progress: number[] = [];
    const outcome = await encoder.encodeLadder!(planned, {
      workDir,
      attemptId: "1",
      onProgress: (tick) => progress.push(tick.pct),
    });
    if (outcome._tag !== "EncodedLadder") throw new Error(`${outcome.message}\n${outcome.stderrTail}`);
    // progress counts the three encodes as one task: it only grows, and the last one takes it past two thirds
    expect(progress.every((pct, i) => i === 0 || pct >= progress[i - 1]!)).toBe(true);
    expect(Math.max(...progress)).toBeGreaterThan(200 / 3);
    expect(Math.max(...progress)).toBeLessThanOrEqual(100);

    const encoders = (await callsSince(before)).map((args) => /-c:v (\S+)/.exec(args)?.[1]);
    expect(encoders).toEqual(["libx264", "h264_nvenc", "libx264", "libx264"]);
    expect(outcome.outputs[1]!.fallback).toMatchObject({ from: "h264_nvenc" });
    const sizes = await Promise.all(outcome.outputs.map(async (o) => (await videoOf(o.path)).height));
    expect(sizes).toEqual([360, 240, 144]);
  });

  it("fails the whole run when one output fails its check, and leaves no output", async () => {
    const planned = await plans();
    // the plan says 240 lines; the check is told to expect another size
    const wrong = planned.map((plan, i) =>
      i === 1
        ? { ...plan, expected: { ...plan.expected, video: { ...plan.expected.video, height: 250 } } }
        : plan,
    );
    const workDir = join(dir, "refused");
    const outcome = await encoder.encodeLadder!(wrong, { workDir, attemptId: "1" });
    expect(outcome).toMatchObject({
      _tag: "EncodeFailed",
      message: expect.stringContaining("output 2 of 3"),
    });
    expect(await readdir(workDir)).toEqual([]);
  });

  it("stops at once when cancelled, leaving no output", async () => {
    const abort = new AbortController();
    const workDir = join(dir, "cancelled");
    const running = encoder.encodeLadder!(await plans(), {
      workDir,
      attemptId: "1",
      signal: abort.signal,
      onProgress: () => abort.abort(),
    });
    expect(await running).toMatchObject({ _tag: "EncodeFailed", exitClass: "cancelled" });
    expect(await readdir(workDir)).toEqual([]);
  });
});
