import { execFileSync } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inspectMedia } from "../../test/support/inspectMedia.ts";
import { makeTestClip } from "../../test/support/makeTestClip.ts";
import type {
  EncodeProfile,
  EncodeProgress,
  EncodeRange,
  EncoderPlugin,
  SourceInfo,
} from "../sdk/encoderPlugin.ts";
import { builtInProfiles } from "./builtInProfiles.ts";
import { createFfmpegEncoder } from "./createFfmpegEncoder.ts";
import { runCommand } from "./runCommand.ts";

let dir: string;
let encoder: EncoderPlugin;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "encoder-ffmpeg-"));
  encoder = createFfmpegEncoder({ stateDir: join(dir, "state") });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function transcode(clip: string, profile: EncodeProfile, range?: EncodeRange) {
  const source = await encoder.probe(clip);
  if (source._tag !== "SourceInfo") throw new Error(`probe failed: ${source.message}`);
  const plan = await encoder.plan(profile, source, range);
  const workDir = join(dir, `work-${randomUUID()}`);
  const ticks: EncodeProgress[] = [];
  const outcome = await encoder.encode(plan, {
    workDir,
    attemptId: "attempt-1",
    onProgress: (tick) => ticks.push(tick),
  });
  if (outcome._tag !== "Encoded") throw new Error(`encode failed: ${outcome.message}\n${outcome.stderrTail}`);
  return { source, plan, outcome, ticks, workDir, media: await inspectMedia(outcome.path) };
}

const streamsOf = (media: Awaited<ReturnType<typeof inspectMedia>>, type: string) =>
  media.streams.filter((s) => s.codec_type === type);

async function ffmpegOutput(args: readonly string[]): Promise<string> {
  const result = await runCommand("ffmpeg", ["-hide_banner", "-nostdin", ...args], { timeoutMs: 30_000 });
  return result.stdout + result.stderr;
}

describe("encoder-ffmpeg with a real ffmpeg", () => {
  it("encodes a 720p source with audio to h264 + aac at the profile's frame, with the right duration", async () => {
    const clip = await makeTestClip(dir, "hd.mp4", {
      width: 1280,
      height: 720,
      durationSec: 1,
      audio: ["sine"],
    });
    const { outcome, ticks, workDir, media } = await transcode(clip, builtInProfiles["480p_fast"]);

    const [video, ...moreVideo] = streamsOf(media, "video");
    const [audio, ...moreAudio] = streamsOf(media, "audio");
    expect(moreVideo).toEqual([]);
    expect(moreAudio).toEqual([]);
    expect(video).toMatchObject({ codec_name: "h264", width: 854, height: 480 });
    expect(audio).toMatchObject({ codec_name: "aac", channels: 2, sample_rate: "48000" });
    expect(Number(media.format.duration)).toBeCloseTo(1, 1);
    expect(outcome.durationSec).toBeCloseTo(1, 1);

    // The reported size and checksum are the file's, and only the final file is left.
    const bytes = await readFile(outcome.path);
    expect(outcome.sizeBytes).toBe((await stat(outcome.path)).size);
    expect(outcome.checksum).toBe(`sha256:${createHash("sha256").update(bytes).digest("hex")}`);
    expect(outcome.path).toBe(join(workDir, "attempt-1.mp4"));
    expect(await readdir(workDir)).toEqual(["attempt-1.mp4"]);
    expect(ticks.at(-1)).toMatchObject({ pct: 100, etaSeconds: 0 });
  });

  it("encodes a source without audio, mapping no audio", async () => {
    const clip = await makeTestClip(dir, "silent-film.mp4");
    const { plan, media } = await transcode(clip, builtInProfiles["720p_h264"]);
    expect(plan.audio).toEqual({ mode: "none" });
    expect(streamsOf(media, "audio")).toEqual([]);
    expect(streamsOf(media, "video")).toHaveLength(1);
    expect(Number(media.format.duration)).toBeCloseTo(2, 1);
  });

  it("keeps only the first of several audio tracks", async () => {
    // Track 1 is mono silence, track 2 a stereo tone marked default (ffmpeg alone would pick it).
    // The output must be silent.
    const clip = await makeTestClip(dir, "two-tracks.mp4", { audio: ["silence", "sine"] });
    const { media, outcome } = await transcode(clip, builtInProfiles["480p_fast"]);
    expect(streamsOf(media, "audio")).toHaveLength(1);
    const report = await ffmpegOutput([
      "-i",
      outcome.path,
      "-map",
      "0:a",
      "-af",
      "volumedetect",
      "-f",
      "null",
      "-",
    ]);
    const maxVolume = Number(/max_volume: (-?[\d.]+|-inf) dB/.exec(report)?.[1] ?? "0");
    expect(maxVolume).toBeLessThan(-60);
  });

  it("turns a rotated source upright: sides swapped, pixels turned, no display matrix left", async () => {
    // Left half red, right half blue, stored 320×240 with a display matrix turning it 90°.
    const clip = await makeTestClip(dir, "rotated.mp4", { split: true, rotate: 90 });
    const { source, media, outcome } = await transcode(clip, builtInProfiles["1080p_h264"]);
    expect((source as SourceInfo).video.rotation).toBe(90);

    const [video] = streamsOf(media, "video");
    expect(video).toMatchObject({ width: 240, height: 320 });
    expect(video?.side_data_list?.some((d) => d.rotation !== undefined && d.rotation !== 0) ?? false).toBe(
      false,
    );

    // ffprobe's 90 is counter-clockwise: the right (blue) half ends on top, the red one below.
    const rgb = execFileSync("ffmpeg", [
      ...["-v", "error", "-i", outcome.path, "-frames:v", "1"],
      ...["-vf", "format=rgb24,scale=1:2:flags=area", "-f", "rawvideo", "-"],
    ]);
    const [topR = 0, , topB = 0, bottomR = 0, , bottomB = 0] = rgb;
    expect(topB).toBeGreaterThan(200);
    expect(topR).toBeLessThan(60);
    expect(bottomR).toBeGreaterThan(200);
    expect(bottomB).toBeLessThan(60);
  });

  it("gives a variable frame rate source a constant output rate", async () => {
    const clip = await makeTestClip(dir, "vfr.mp4", { variableFrameRate: true, durationSec: 3 });
    const { source, media, outcome } = await transcode(clip, builtInProfiles["720p_h264"]);
    expect((source as SourceInfo).video.variableFrameRate).toBe(true);

    const [video] = streamsOf(media, "video");
    expect(video?.r_frame_rate).toBe("30/1");
    expect(video?.avg_frame_rate).toBe("30/1");
    const times = await runCommand(
      "ffprobe",
      [
        "-v",
        "error",
        "-select_streams",
        "v",
        "-show_entries",
        "packet=pts_time",
        "-of",
        "csv=p=0",
        outcome.path,
      ],
      { timeoutMs: 30_000 },
    );
    const pts = times.stdout
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map(Number)
      .sort((a, b) => a - b);
    expect(pts.length).toBeGreaterThan(60);
    const steps = pts.slice(1).map((t, i) => t - (pts[i] ?? 0));
    for (const step of steps) expect(step).toBeCloseTo(1 / 30, 3);
  });

  it("encodes odd-sized sources at the nearest even size below", async () => {
    const clip = await makeTestClip(dir, "odd.mp4", { width: 321, height: 241 });
    const { media } = await transcode(clip, builtInProfiles["720p_h264"]);
    expect(streamsOf(media, "video")[0]).toMatchObject({ width: 320, height: 240 });
  });

  it("does not upscale or pad a source smaller than the profile's frame", async () => {
    const clip = await makeTestClip(dir, "small.mp4", { width: 320, height: 180 });
    const { media } = await transcode(clip, builtInProfiles["1080p_h264"]);
    expect(streamsOf(media, "video")[0]).toMatchObject({ width: 320, height: 180 });
  });

  it("encodes only the requested range", async () => {
    const clip = await makeTestClip(dir, "ranged.mp4", { durationSec: 3, audio: ["sine"] });
    const { media, outcome } = await transcode(clip, builtInProfiles["480p_fast"], {
      startSec: 1,
      endSec: 2.5,
    });
    expect(Number(media.format.duration)).toBeGreaterThan(1.4);
    expect(Number(media.format.duration)).toBeLessThan(1.6);
    expect(outcome.durationSec).toBeCloseTo(1.5, 1);
  });

  it("proves and reports its encoders as capabilities", async () => {
    const capabilities = await encoder.capabilities();
    expect(capabilities.encoders).toContainEqual({ name: "libx264", codec: "h264", hardware: false });
    expect(capabilities.audioCodecs).toContain("aac");
  });
});
