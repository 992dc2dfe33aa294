// Audio-only sources with a real ffmpeg: a 3 s tone as WAV and MP3, which `probe` refuses as having no
// video, read as audio and encoded to AAC in M4A and to Opus in WebM, verified and read back.
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EncodeProfile, EncoderPlugin } from "../sdk/encoderPlugin.ts";
import { builtInProfiles } from "./builtInProfiles.ts";
import { createFfmpegEncoder } from "./createFfmpegEncoder.ts";
import { runCommand } from "./runCommand.ts";

let dir: string;
let encoder: EncoderPlugin;
const sources: Record<"wav" | "mp3", string> = { wav: "", mp3: "" };

async function ffmpeg(args: readonly string[]): Promise<string> {
  const result = await runCommand("ffmpeg", ["-hide_banner", "-v", "error", "-y", ...args], {
    timeoutMs: 30_000,
  });
  if (result.exitCode !== 0) throw new Error(result.stderr);
  return result.stdout;
}

const probed = async (path: string) => {
  const result = await runCommand(
    "ffprobe",
    ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", path],
    { timeoutMs: 30_000 },
  );
  return JSON.parse(result.stdout) as {
    format: { format_name: string; duration: string };
    streams: { codec_type: string; codec_name: string; sample_rate: string; channels: number }[];
  };
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "audio-only-"));
  encoder = createFfmpegEncoder({ stateDir: join(dir, "state") });
  for (const kind of ["wav", "mp3"] as const) {
    sources[kind] = join(dir, `tone.${kind}`);
    await ffmpeg(["-f", "lavfi", "-i", "sine=f=440:sample_rate=44100:d=3", "-ac", "2", sources[kind]]);
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const m4a: EncodeProfile = builtInProfiles["720p_h264"];
const webm: EncodeProfile = builtInProfiles["720p_vp9"];

describe("audio-only sources", () => {
  it("are still no_video to the video probe, and audio to the audio-only probe", async () => {
    expect(await encoder.probe(sources.wav)).toMatchObject({ _tag: "ProbeFailure", reason: "no_video" });
    const source = await encoder.audioOnly?.probe(sources.wav);
    expect(source).toMatchObject({ _tag: "AudioSourceInfo", tracks: [{ codec: "pcm_s16le" }] });
    expect(source?._tag === "AudioSourceInfo" && source.durationSec).toBeCloseTo(3, 1);
  });

  it.each([
    ["wav", "AAC in M4A", m4a, "m4a", "mov,mp4,m4a,3gp,3g2,mj2", "aac"],
    ["mp3", "AAC in M4A", m4a, "m4a", "mov,mp4,m4a,3gp,3g2,mj2", "aac"],
    ["wav", "Opus in WebM", webm, "webm", "matroska,webm", "opus"],
    ["mp3", "Opus in WebM", webm, "webm", "matroska,webm", "opus"],
  ] as const)("encode %s to %s", async (kind, _, profile, extension, format, codec) => {
    const audioOnly = encoder.audioOnly;
    if (audioOnly === undefined) throw new Error("no audio-only encoding");
    const source = await audioOnly.probe(sources[kind]);
    if (source._tag !== "AudioSourceInfo") throw new Error(source.message);
    const plan = audioOnly.plan(profile, source);
    if (plan === null) throw new Error("no plan");
    const outcome = await audioOnly.encode(plan, source, {
      workDir: join(dir, randomUUID()),
      attemptId: "a1",
    });
    if (outcome._tag !== "Encoded") throw new Error(`${outcome.message}\n${outcome.stderrTail}`);
    expect(outcome.path.endsWith(`a1.${extension}`)).toBe(true);
    expect(outcome.durationSec).toBeCloseTo(3, 1);
    const media = await probed(outcome.path);
    expect(media.format.format_name).toBe(format);
    expect(media.streams).toHaveLength(1);
    expect(media.streams[0]).toMatchObject({
      codec_type: "audio",
      codec_name: codec,
      sample_rate: "48000",
      channels: 2,
    });
    expect(Number(media.format.duration)).toBeCloseTo(3, 1);
  });

  it("plans nothing for a profile without audio, and fails a source without audio as not media", async () => {
    const audioOnly = encoder.audioOnly;
    const source = await audioOnly?.probe(sources.wav);
    if (source?._tag !== "AudioSourceInfo") throw new Error("probe failed");
    expect(audioOnly?.plan({ ...m4a, audio: null }, source)).toBeNull();
    const silent = join(dir, "silent.mp4");
    await ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=160x120:r=25:d=1", "-c:v", "libx264", silent]);
    expect(await audioOnly?.probe(silent)).toMatchObject({ _tag: "ProbeFailure", reason: "not_media" });
  });
});
