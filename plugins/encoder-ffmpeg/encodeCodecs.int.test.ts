// Every codec and container the plugin offers, encoded for real and read back with ffprobe: the
// built-in HEVC, VP9/WebM and AV1 recipes, Matroska, and keyframes that keep to the grid when asked.
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTestClip } from "../../test/support/makeTestClip.ts";
import type { EncodeProfile, EncoderPlugin } from "../sdk/encoderPlugin.ts";
import { builtInProfiles } from "./builtInProfiles.ts";
import { createFfmpegEncoder } from "./createFfmpegEncoder.ts";
import { runCommand } from "./runCommand.ts";

let dir: string;
let encoder: EncoderPlugin;
let clip: string;
let sceneCuts: string;

interface Probed {
  readonly format: { readonly format_name: string; readonly duration: string };
  readonly streams: readonly {
    readonly codec_type: string;
    readonly codec_name: string;
    readonly codec_tag_string: string;
    readonly width?: number;
    readonly height?: number;
    readonly sample_rate?: string;
  }[];
}

async function ffprobe(args: readonly string[]): Promise<string> {
  const result = await runCommand("ffprobe", ["-v", "error", ...args], { timeoutMs: 30_000 });
  if (result.exitCode !== 0) throw new Error(result.stderr);
  return result.stdout;
}

const probe = async (path: string): Promise<Probed> =>
  JSON.parse(await ffprobe(["-print_format", "json", "-show_format", "-show_streams", path])) as Probed;

/** Times of the video's keyframe packets. */
const keyframeTimes = async (path: string): Promise<number[]> =>
  (
    await ffprobe([
      "-select_streams",
      "v:0",
      "-show_entries",
      "packet=pts_time,flags",
      "-of",
      "csv=p=0",
      path,
    ])
  )
    .trim()
    .split("\n")
    .filter((line) => line.split(",")[1]?.includes("K"))
    .map((line) => Number(line.split(",")[0]))
    .sort((a, b) => a - b);

async function encode(input: string, profile: EncodeProfile) {
  const source = await encoder.probe(input);
  if (source._tag !== "SourceInfo") throw new Error(source.message);
  const plan = await encoder.plan(profile, source);
  const outcome = await encoder.encode(plan, { workDir: join(dir, randomUUID()), attemptId: "a1" });
  if (outcome._tag !== "Encoded") throw new Error(`${outcome.message}\n${outcome.stderrTail}`);
  return outcome;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "encode-codecs-"));
  encoder = createFfmpegEncoder({ stateDir: join(dir, "state") });
  clip = await makeTestClip(dir, "clip.mp4", {
    width: 320,
    height: 240,
    durationSec: 2,
    fps: 25,
    audio: ["sine"],
  });
  // Three unlike pictures, cut at 1.3 s and 2.6 s: where an encoder left to itself puts scene-cut keyframes.
  sceneCuts = join(dir, "cuts.mp4");
  const made = await runCommand(
    "ffmpeg",
    [
      ...["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=1.3"],
      ...[
        "-f",
        "lavfi",
        "-i",
        "mandelbrot=s=320x240:r=25",
        "-f",
        "lavfi",
        "-i",
        "smptebars=s=320x240:r=25:d=1.3",
      ],
      ...["-filter_complex", "[1]trim=duration=1.3[m];[0][m][2]concat=n=3:v=1:a=0"],
      ...["-c:v", "libx264", "-preset", "ultrafast", sceneCuts],
    ],
    { timeoutMs: 60_000 },
  );
  if (made.exitCode !== 0) throw new Error(made.stderr);
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("built-in recipes on a small clip", () => {
  it("4k_hevc: HEVC tagged hvc1 with AAC in MP4, at the source's size (never upscaled)", async () => {
    const out = await encode(clip, builtInProfiles["4k_hevc"]);
    const media = await probe(out.path);
    expect(media.format.format_name).toContain("mp4");
    const [video, audio] = media.streams;
    expect(video).toMatchObject({ codec_name: "hevc", codec_tag_string: "hvc1", width: 320, height: 240 });
    expect(audio).toMatchObject({ codec_name: "aac", sample_rate: "48000" });
    expect(Number(media.format.duration)).toBeCloseTo(2, 1);
  }, 120_000);

  it("720p_vp9: VP9 with Opus in WebM", async () => {
    const out = await encode(clip, builtInProfiles["720p_vp9"]);
    expect(out.path.endsWith(".webm")).toBe(true);
    const media = await probe(out.path);
    expect(media.format.format_name).toBe("matroska,webm");
    const [video, audio] = media.streams;
    expect(video).toMatchObject({ codec_name: "vp9", width: 320, height: 240 });
    expect(audio).toMatchObject({ codec_name: "opus", sample_rate: "48000" });
    expect(Number(media.format.duration)).toBeCloseTo(2, 1);
  }, 120_000);

  it("1080p_av1: AV1 (SVT-AV1 preset 8) with Opus in MP4", async () => {
    const out = await encode(clip, builtInProfiles["1080p_av1"]);
    expect(out.encoder).toBe("libsvtav1");
    const media = await probe(out.path);
    expect(media.format.format_name).toContain("mp4");
    const [video, audio] = media.streams;
    expect(video).toMatchObject({ codec_name: "av1", width: 320, height: 240 });
    expect(audio).toMatchObject({ codec_name: "opus", sample_rate: "48000" });
    expect(Number(media.format.duration)).toBeCloseTo(2, 1);
  }, 120_000);

  it("Matroska holds H.264 and AAC; a profile without audio makes a silent output", async () => {
    const mkv = await encode(clip, { ...builtInProfiles["480p_fast"], container: "mkv" });
    expect(mkv.path.endsWith(".mkv")).toBe(true);
    const media = await probe(mkv.path);
    expect(media.format.format_name).toBe("matroska,webm");
    expect(media.streams.map((s) => s.codec_name)).toEqual(["h264", "aac"]);

    const silent = await encode(clip, { ...builtInProfiles["480p_fast"], audio: null });
    expect((await probe(silent.path)).streams.map((s) => s.codec_type)).toEqual(["video"]);
  }, 120_000);
});

describe("aligned keyframes", () => {
  const grid = [0, 0.4, 0.8, 1.2, 1.6, 2, 2.4, 2.8, 3.2, 3.6];
  const base = builtInProfiles["480p_fast"];
  const aligned = (
    codec: EncodeProfile["video"]["codec"],
    preset: string,
    alignedKeyframes = true,
  ): EncodeProfile => ({
    ...base,
    video: {
      ...base.video,
      codec,
      preset,
      ...(codec === "h264" ? {} : { profile: undefined, level: undefined }),
      keyframeIntervalSec: 0.4,
      alignedKeyframes,
    },
    audio: null,
    container: codec === "vp9" ? "webm" : "mp4",
  });

  it("x264 left to itself adds keyframes at the scene cuts; aligned it keeps to the grid", async () => {
    const free = await encode(sceneCuts, {
      ...aligned("h264", "veryfast"),
      video: { ...aligned("h264", "veryfast").video, alignedKeyframes: false },
    });
    expect(await keyframeTimes(free.path)).not.toEqual(grid);
    const out = await encode(sceneCuts, aligned("h264", "veryfast"));
    expect((await keyframeTimes(out.path)).map((t) => Number(t.toFixed(3)))).toEqual(grid);
  }, 120_000);

  it.each([
    ["hevc", "veryfast"],
    ["vp9", "8"],
    ["av1", "12"],
  ] as const)(
    "%s keeps to the grid across scene cuts",
    async (codec, preset) => {
      const out = await encode(sceneCuts, aligned(codec, preset));
      expect((await keyframeTimes(out.path)).map((t) => Number(t.toFixed(3)))).toEqual(grid);
    },
    120_000,
  );
});
