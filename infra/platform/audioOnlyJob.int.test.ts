// Audio-only sources through a real kernel and a real encode worker: a tone as MP3 and as WAV, submitted
// with ordinary video profiles. The AAC profile with HLS and DASH packaging makes an M4A and an
// audio-only package, a master playlist and an MPD over the same segments, that ffprobe opens through
// their playback links; the VP9/WebM profile makes Opus in WebM.
import { execFile } from "node:child_process";
import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type InProcessPlatform, startInProcessPlatform } from "../../test/support/inProcessPlatform.ts";
import { kernelApi, until } from "../../test/support/kernelApi.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/testDatabase.ts";
import { loadConfig } from "./platformConfig.ts";
import type { Kernel } from "./startKernel.ts";

const run = promisify(execFile);
const ffmpeg = process.env.FFMPEG_PATH ?? "ffmpeg";
const ffprobe = process.env.FFPROBE_PATH ?? "ffprobe";

let database: TestDatabase;
let platform: InProcessPlatform;
let kernel: Kernel;
let dir: string;
let headers: Record<string, string>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-audio-only-"));
  await chmod(dir, 0o755);
  await mkdir(join(dir, "media"));
  for (const name of ["podcast.mp3", "music.wav"]) {
    await run(ffmpeg, [
      ...["-hide_banner", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=f=440:sample_rate=44100:d=8"],
      ...["-ac", "2", join(dir, "media", name)],
    ]);
  }
  database = await createTestDatabase("audio_only_job");
  const config = loadConfig(
    { port: "0", data: join(dir, "data"), "media-dir": join(dir, "media"), workers: "1" },
    { WEBENCODE_HEARTBEAT_MS: "500" },
  );
  platform = await startInProcessPlatform(config, database.url);
  ({ kernel, headers } = platform);
}, 90_000);
afterAll(async () => {
  await platform?.stop();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

const api = kernelApi(
  () => kernel.url,
  () => headers,
);

interface Output {
  name: string;
  type: string;
  download_url: string;
}

async function finished(sourceUrl: string, profile: string) {
  const submitted = await api<{ id: string }>("POST", "/v1/jobs", { source_url: sourceUrl, profile });
  expect(submitted.status).toBe(201);
  const jobId = submitted.body.id;
  const done = await until(
    () => api<{ status: string; error: unknown; tasks: { kind: string }[] }>("GET", `/v1/jobs/${jobId}`),
    (r) => ["completed", "failed", "cancelled"].includes(r.body.status),
    `the audio-only job with ${profile} done`,
    120_000,
  );
  expect(done.body.error).toBeNull();
  expect(done.body.status).toBe("completed");
  const { body } = await api<{ outputs: Output[] }>("GET", `/v1/jobs/${jobId}/outputs`);
  return { jobId, tasks: done.body.tasks, outputs: body.outputs };
}

const probeStreams = async (url: string) => {
  const { stdout } = await run(ffprobe, [
    ...["-v", "error", "-show_entries", "stream=codec_type,codec_name:format=duration,format_name"],
    ...["-of", "json", url],
  ]);
  return JSON.parse(stdout) as {
    streams: { codec_type: string; codec_name: string }[];
    format: { duration: string; format_name: string };
  };
};

/** A relative download link (the storage's own) made absolute against the kernel. */
const absolute = (url: string) => new URL(url, kernel.url).toString();

describe("an audio-only source through the platform", () => {
  it("is encoded to AAC in M4A with an audio-only HLS and DASH package by a packaging profile", async () => {
    const { jobId, tasks, outputs } = await finished("fs://podcast.mp3", "hls_abr_3tier");
    expect(tasks.map((t) => t.kind).sort()).toEqual(["audio", "package"]);
    const final = outputs.find((o) => o.type === "final");
    expect(final?.name).toBe(`${jobId}_final.m4a`);
    const m4a = await probeStreams(absolute(final!.download_url));
    expect(m4a.streams).toEqual([{ codec_type: "audio", codec_name: "aac" }]);
    expect(Number(m4a.format.duration)).toBeCloseTo(8, 0);

    const master = outputs.find((o) => o.name === "package/master.m3u8");
    expect(master?.type).toBe("manifest");
    // no video variant
    const masterUrl = absolute(master!.download_url);
    const playlist = await (await fetch(masterUrl)).text();
    expect(playlist).toMatch(/#EXT-X-STREAM-INF:[^\n]*CODECS="mp4a\.40\.2"/);
    expect(playlist).not.toContain("RESOLUTION=");
    const hls = await probeStreams(masterUrl);
    expect(hls.streams.map((s) => s.codec_type)).toEqual(["audio"]);
    expect(Number(hls.format.duration)).toBeGreaterThan(7);

    // the MPD over the same segments: one audio AdaptationSet, no video
    const mpd = outputs.find((o) => o.name === "package/manifest.mpd");
    expect(mpd?.type).toBe("manifest");
    const mpdUrl = absolute(mpd!.download_url);
    const manifest = await (await fetch(mpdUrl)).text();
    expect(manifest).toMatch(/<AdaptationSet[^>]*contentType="audio"/);
    expect(manifest).not.toMatch(/contentType="video"/);
    const dash = await probeStreams(mpdUrl);
    expect(dash.streams).toEqual([{ codec_type: "audio", codec_name: "aac" }]);
    expect(Number(dash.format.duration)).toBeGreaterThan(7);
  }, 180_000);

  it("is encoded to Opus in WebM by a WebM profile", async () => {
    const { jobId, tasks, outputs } = await finished("fs://music.wav", "720p_vp9");
    expect(tasks.map((t) => t.kind)).toEqual(["audio"]);
    const final = outputs.find((o) => o.type === "final");
    expect(final?.name).toBe(`${jobId}_final.webm`);
    const webm = await probeStreams(absolute(final!.download_url));
    expect(webm.streams).toEqual([{ codec_type: "audio", codec_name: "opus" }]);
    expect(webm.format.format_name).toContain("webm");
  }, 180_000);
});
