// Subtitle tracks with a real ffmpeg: two text tracks (English, French) in Matroska and MP4, probed,
// extracted to WebVTT and SRT, burnt into the picture (also in a chunk that seeks into the middle of the
// source), and kept as soft tracks of a whole encode (passthrough).
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EncodePlan, EncodeProfile, SourceInfo } from "../sdk/encoderPlugin.ts";
import { buildFfmpegArgs } from "./buildFfmpegArgs.ts";
import { builtInProfiles } from "./builtInProfiles.ts";
import { createFfmpegMediaOutputs } from "./createFfmpegMediaOutputs.ts";
import { planEncode } from "./planEncode.ts";
import { probeKeyframes } from "./probeKeyframes.ts";
import { probeMedia } from "./probeMedia.ts";

const outputs = createFfmpegMediaOutputs();
let dir: string;
let mkv: string;
let mp4: string;

const srt = (cues: readonly [string, string, string][]) =>
  cues.map(([from, to, text], i) => `${i + 1}\n${from} --> ${to}\n${text}\n`).join("\n");

/** Runs a command to its end; its stdout as bytes (decoded frames). */
function run(file: string, args: readonly string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { encoding: "buffer", maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${file} ${args.join(" ")}\n${stderr.toString()}`)) : resolve(stdout),
    );
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "subtitles-"));
  await writeFile(
    join(dir, "eng.srt"),
    srt([
      ["00:00:00,500", "00:00:01,500", "HELLO THERE"],
      ["00:00:02,500", "00:00:03,500", "GOOD BYE NOW"],
    ]),
  );
  await writeFile(
    join(dir, "fra.srt"),
    srt([
      ["00:00:00,500", "00:00:01,500", "BONJOUR"],
      ["00:00:02,500", "00:00:03,500", "AU REVOIR"],
    ]),
  );
  const video = join(dir, "video.mp4");
  await run("ffmpeg", [
    ...["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=4"],
    ...["-c:v", "libx264", "-preset", "ultrafast", "-g", "25", video],
  ]);
  const mux = (container: string, codec: string) => [
    ...["-v", "error", "-y", "-i", video, "-i", join(dir, "eng.srt"), "-i", join(dir, "fra.srt")],
    ...["-map", "0:v", "-map", "1", "-map", "2", "-c:v", "copy", "-c:s", codec],
    ...["-metadata:s:s:0", "language=eng", "-metadata:s:s:0", "title=English"],
    ...["-metadata:s:s:1", "language=fra", "-disposition:s:0", "default", "-disposition:s:1", "forced"],
    join(dir, `subtitled.${container}`),
  ];
  await run("ffmpeg", mux("mkv", "srt"));
  await run("ffmpeg", mux("mp4", "mov_text"));
  mkv = join(dir, "subtitled.mkv");
  mp4 = join(dir, "subtitled.mp4");
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("subtitle tracks", () => {
  it("probes both tracks of an mkv: codec, text, language, title, default, forced", async () => {
    expect(await outputs.subtitleTracks(mkv)).toEqual([
      {
        index: 1,
        codec: "subrip",
        text: true,
        language: "eng",
        title: "English",
        isDefault: true,
        forced: false,
      },
      { index: 2, codec: "subrip", text: true, language: "fra", title: null, isDefault: false, forced: true },
    ]);
  });

  it("probes MP4's mov_text tracks with their languages", async () => {
    const tracks = await outputs.subtitleTracks(mp4);
    if (!Array.isArray(tracks)) throw new Error("probe failed");
    expect(tracks.map((t) => [t.codec, t.text, t.language])).toEqual([
      ["mov_text", true, "eng"],
      ["mov_text", true, "fra"],
    ]);
  });

  it("answers no tracks for a source without subtitles", async () => {
    expect(await outputs.subtitleTracks(join(dir, "video.mp4"))).toEqual([]);
  });

  it.each([
    ["mkv", () => mkv],
    ["mp4", () => mp4],
  ])("extracts every text track of an %s to WebVTT and SRT with its cues", async (_, source) => {
    const outputDir = join(dir, randomUUID());
    const extracted = await outputs.extractSubtitles(source(), outputDir);
    if (!Array.isArray(extracted)) throw new Error("extract failed");
    expect(extracted.map((e) => [e.track.language, e.vtt, e.srt])).toEqual([
      ["eng", "subtitle-1.eng.vtt", "subtitle-1.eng.srt"],
      ["fra", "subtitle-2.fra.vtt", "subtitle-2.fra.srt"],
    ]);
    const read = (name: string) => readFile(join(outputDir, name), "utf8");
    const engVtt = await read("subtitle-1.eng.vtt");
    expect(engVtt.startsWith("WEBVTT")).toBe(true);
    // WebVTT may leave out the hours.
    expect(engVtt).toMatch(/^(00:)?00:00\.500 --> (00:)?00:01\.500\nHELLO THERE$/m);
    expect(engVtt).toMatch(/^(00:)?00:02\.500 --> (00:)?00:03\.500\nGOOD BYE NOW$/m);
    const fraSrt = await read("subtitle-2.fra.srt");
    expect(fraSrt).toContain("00:00:00,500 --> 00:00:01,500\nBONJOUR");
    expect(fraSrt).toContain("00:00:02,500 --> 00:00:03,500\nAU REVOIR");
  });
});

describe("burn-in", () => {
  const profile: EncodeProfile = {
    ...builtInProfiles["480p_fast"],
    video: { ...builtInProfiles["480p_fast"].video, bitrateKbps: 2000, maxrateKbps: 2200, bufsizeKbps: 4000 },
    audio: null,
  };
  const burnt: EncodeProfile = { ...profile, burnInSubtitle: { streamIndex: 1, text: true } };
  let source: SourceInfo;
  let plain: string;
  let whole: string;

  const encode = async (plan: EncodePlan) => {
    const output = join(dir, `${randomUUID()}.mp4`);
    await run("ffmpeg", buildFfmpegArgs(plan, output));
    return output;
  };

  /** The bottom third of the frame at `sec`, where subtitles go, as grey bytes. */
  const bottomThird = (path: string, sec: number) =>
    run("ffmpeg", [
      ...["-v", "error", "-i", path, "-ss", sec.toFixed(3), "-frames:v", "1"],
      ...["-vf", "crop=iw:ih/3:0:ih*2/3,format=gray", "-f", "rawvideo", "-"],
    ]);

  /** Percent of the bottom third's pixels that differ by more than a quarter of the range: text, not noise. */
  const difference = async (a: string, aSec: number, b: string, bSec: number) => {
    const [x, y] = [await bottomThird(a, aSec), await bottomThird(b, bSec)];
    expect(x.length).toBe(y.length);
    let changed = 0;
    for (let i = 0; i < x.length; i++) if (Math.abs((x[i] ?? 0) - (y[i] ?? 0)) > 64) changed += 1;
    return (100 * changed) / x.length;
  };

  beforeAll(async () => {
    const probed = await probeMedia(mkv, { ffprobePath: "ffprobe" });
    if (probed._tag !== "SourceInfo") throw new Error(probed.message);
    source = probed;
    plain = await encode(planEncode(profile, source));
    whole = await encode(planEncode(burnt, source));
  }, 60_000);

  it("draws the cue into the frames while it shows, and leaves the others alone", async () => {
    expect(await difference(whole, 1, plain, 1)).toBeGreaterThan(0.5);
    expect(await difference(whole, 3, plain, 3)).toBeGreaterThan(0.5);
    expect(await difference(whole, 2, plain, 2)).toBeLessThan(0.2);
  });

  it("burns the right cue into a chunk that seeks into the middle of the source", async () => {
    const frames = await probeKeyframes(mkv, source.video.index, { ffprobePath: "ffprobe" });
    if (frames._tag !== "SourceFrames") throw new Error(frames.message);
    const plan = planEncode(burnt, source, { chunk: { frames, startSec: 2.2, endSec: 4 } });
    expect(plan.input.chunk?.seekSec).toBeGreaterThan(2);
    const chunk = await encode(plan);
    // The chunk's time 0.7 is the source's 2.9: "GOOD BYE NOW", as in the whole encode (a chunk that
    // lost the source's times would show "HELLO THERE" there).
    expect(await difference(chunk, 0.7, plain, 2.9)).toBeGreaterThan(0.5);
    for (const t of [0.1, 0.7, 1.5]) {
      expect(await difference(chunk, t, whole, 2.2 + t), `chunk at ${t} s`).toBeLessThan(0.2);
    }
  });

  it("burns a cue into a plain range read from its seek", async () => {
    const plan = planEncode(burnt, source, { range: { startSec: 2, endSec: 4 } });
    const range = await encode(plan);
    expect(await difference(range, 0.9, whole, 2.9)).toBeLessThan(0.2);
    expect(await difference(range, 0.9, plain, 2.9)).toBeGreaterThan(0.5);
  });
});

describe("passthrough", () => {
  const profile: EncodeProfile = { ...builtInProfiles["480p_fast"], audio: null };
  const kept = [
    { streamIndex: 1, codec: "subrip" },
    { streamIndex: 2, codec: "subrip" },
  ];

  const subtitleStreams = async (path: string) =>
    (
      JSON.parse(
        (
          await run("ffprobe", [
            ...[
              "-v",
              "error",
              "-select_streams",
              "s",
              "-show_entries",
              "stream=codec_name:stream_tags=language",
            ],
            ...["-of", "json", path],
          ])
        ).toString(),
      ) as { streams: { codec_name: string; tags?: { language?: string } }[] }
    ).streams.map((s) => [s.codec_name, s.tags?.language]);

  it.each([
    ["mp4", "mov_text"],
    ["mkv", "subrip"],
  ] as const)(
    "keeps both text tracks of a whole encode in %s as %s, with their languages",
    async (container, codec) => {
      const probed = await probeMedia(mkv, { ffprobePath: "ffprobe" });
      if (probed._tag !== "SourceInfo") throw new Error(probed.message);
      const plan = planEncode({ ...profile, container, keepSubtitles: kept }, probed);
      const output = join(dir, `${randomUUID()}.${container}`);
      await run("ffmpeg", buildFfmpegArgs(plan, output));
      expect(await subtitleStreams(output)).toEqual([
        [codec, "eng"],
        [codec, "fra"],
      ]);
    },
  );

  it("leaves them out of a chunk, which the stitch completes", async () => {
    const probed = await probeMedia(mkv, { ffprobePath: "ffprobe" });
    if (probed._tag !== "SourceInfo") throw new Error(probed.message);
    const frames = await probeKeyframes(mkv, probed.video.index, { ffprobePath: "ffprobe" });
    if (frames._tag !== "SourceFrames") throw new Error(frames.message);
    const plan = planEncode({ ...profile, keepSubtitles: kept }, probed, {
      chunk: { frames, startSec: 2, endSec: 4 },
    });
    expect(plan.subtitles).toBeUndefined();
    expect(buildFfmpegArgs(plan, "/tmp/x.mp4")).toContain("-sn");
  });
});
