// A profile's subtitle mode through a real kernel and two real encode workers, on a clip with an English
// text subtitle track, each job split into chunks and stitched: `burn_in` draws the cues into the picture
// (no subtitle stream, pixels changed where and when the text shows, nowhere else), `passthrough` keeps
// the track as a soft track of the container — mov_text in MP4, WebVTT in WebM, as it is in Matroska (SubRip when Matroska cannot carry it) —
// with its language, and makes no subtitle files.
import { execFile } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveMedia } from "../../test/support/hostileSourceServer.ts";
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
  dir = await mkdtemp(join(tmpdir(), "webencode-subtitle-modes-"));
  await chmod(dir, 0o755);
  await mkdir(join(dir, "media"));
  await writeFile(
    join(dir, "eng.srt"),
    "1\n00:00:00,500 --> 00:00:01,500\nHELLO THERE\n\n2\n00:00:02,500 --> 00:00:03,500\nGOOD BYE NOW\n",
  );
  await run(ffmpeg, [
    ...["-hide_banner", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=4"],
    ...["-f", "lavfi", "-i", "sine=f=440:sample_rate=48000:d=4", "-i", join(dir, "eng.srt")],
    ...["-map", "0:v", "-map", "1:a", "-map", "2:s", "-c:v", "libx264", "-preset", "ultrafast", "-g", "25"],
    ...["-c:a", "aac", "-c:s", "mov_text", "-metadata:s:s:0", "language=eng"],
    join(dir, "media", "talk.mp4"),
  ]);
  database = await createTestDatabase("subtitle_modes");
  const config = loadConfig(
    { port: "0", data: join(dir, "data"), "media-dir": join(dir, "media"), workers: "2" },
    // the remote source of the burn-in case is served on loopback
    {
      WEBENCODE_HEARTBEAT_MS: "500",
      WEBENCODE_SEGMENT_SECONDS: "1:2:2",
      WEBENCODE_ALLOW_SOURCE_HOSTS: "127.0.0.1",
    },
  );
  platform = await startInProcessPlatform(config, database.url);
  ({ kernel, headers } = platform);
  await until(
    () => api<{ workers: { status: string }[] }>("GET", "/v1/workers"),
    (r) => r.body.workers.filter((w) => w.status === "online").length === 2,
    "both workers online",
  );
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

/** A built-in profile as a stored one of ours, small and with this subtitle mode. */
async function profile(id: string, base: string, subtitles: string, overrides: Record<string, unknown> = {}) {
  const { body } = await api<Record<string, unknown>>("GET", `/v1/profiles/${base}`);
  const { id: _id, built_in: _builtIn, updated_at: _updatedAt, revision: _revision, ...document } = body;
  const video = { ...(document.video as object), max_width: 320, max_height: 240 };
  const created = await api("POST", "/v1/profiles", { ...document, id, video, subtitles, ...overrides });
  expect(created.status).toBe(201);
}

/** Encodes the clip with a profile; the final output's local path and what the job published. */
async function encode(
  profileId: string,
  sourceUrl = "fs://talk.mp4",
): Promise<{ path: string; names: string[]; tasks: string[] }> {
  const submitted = await api<{ id: string }>("POST", "/v1/jobs", {
    source_url: sourceUrl,
    profile: profileId,
  });
  expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
  const done = await until(
    () =>
      api<{ status: string; error: unknown; tasks: { kind: string }[] }>(
        "GET",
        `/v1/jobs/${submitted.body.id}`,
      ),
    (r) => ["completed", "failed", "cancelled"].includes(r.body.status),
    `the ${profileId} job done`,
    120_000,
  );
  expect(done.body.error).toBeNull();
  const { body } = await api<{ outputs: { name: string; type: string; download_url: string }[] }>(
    "GET",
    `/v1/jobs/${submitted.body.id}/outputs`,
  );
  const final = body.outputs.find((o) => o.type === "final")!;
  const path = join(dir, `${profileId}-${submitted.body.id}-${final.name}`);
  const response = await fetch(new URL(final.download_url, kernel.url));
  await writeFile(path, Buffer.from(await response.arrayBuffer()));
  return { path, names: body.outputs.map((o) => o.name), tasks: done.body.tasks.map((t) => t.kind) };
}

async function subtitleStreams(path: string) {
  const { stdout } = await run(ffprobe, [
    ...["-v", "error", "-select_streams", "s", "-show_entries", "stream=codec_name:stream_tags=language"],
    ...["-of", "json", path],
  ]);
  return (
    JSON.parse(stdout) as { streams: { codec_name: string; tags?: { language?: string } }[] }
  ).streams.map((s) => ({ codec: s.codec_name, language: s.tags?.language ?? null }));
}

/** The bottom third of the frame at `sec`, where subtitles go, as grey bytes. */
const bottomThird = async (path: string, sec: number) =>
  (
    await run(
      ffmpeg,
      [
        ...["-v", "error", "-i", path, "-ss", sec.toFixed(3), "-frames:v", "1"],
        ...["-vf", "crop=iw:ih/3:0:ih*2/3,format=gray", "-f", "rawvideo", "-"],
      ],
      { encoding: "buffer", maxBuffer: 16 * 1024 * 1024 },
    )
  ).stdout;

/** Percent of the bottom third's pixels that differ by more than a quarter of the range: text, not noise. */
async function difference(a: string, b: string, sec: number): Promise<number> {
  const [x, y] = [await bottomThird(a, sec), await bottomThird(b, sec)];
  expect(x.length).toBe(y.length);
  let changed = 0;
  for (let i = 0; i < x.length; i++) if (Math.abs((x[i] ?? 0) - (y[i] ?? 0)) > 64) changed += 1;
  return (100 * changed) / x.length;
}

/**
 * The job was split (the cues fall in different chunks), keeps no subtitle stream, and its picture differs
 * from the source's own frames (same size: the picture without the cues) where and when a cue shows
 * (1 s and 3 s), not in between (2 s).
 */
async function expectCuesBurntIntoChunks(burnt: { path: string; tasks: string[] }) {
  const plain = join(dir, "media", "talk.mp4");
  expect(burnt.tasks.filter((kind) => kind === "video").length).toBeGreaterThanOrEqual(2);
  expect(await subtitleStreams(burnt.path)).toEqual([]);
  expect(await difference(burnt.path, plain, 1)).toBeGreaterThan(0.5);
  expect(await difference(burnt.path, plain, 3)).toBeGreaterThan(0.5);
  expect(await difference(burnt.path, plain, 2)).toBeLessThan(0.2);
}

describe("subtitle modes through the platform", () => {
  it("burns the track into every chunk's picture, and keeps no subtitle stream", async () => {
    await profile("subs_burnt", "480p_fast", "burn_in");
    const burnt = await encode("subs_burnt");
    await expectCuesBurntIntoChunks(burnt);
    expect(burnt.names.some((name) => name.startsWith("subtitles/"))).toBe(false);
  }, 240_000);

  it("burns a remote (http) source's text track the same way, from a copy each chunk makes first", async () => {
    const bytes = await readFile(join(dir, "media", "talk.mp4"));
    const server = createServer((req, res) => serveMedia(req, res, bytes));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      await expectCuesBurntIntoChunks(await encode("subs_burnt", `http://127.0.0.1:${port}/talk.mp4`));
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }, 240_000);

  it("passes the track through as mov_text in MP4, WebVTT in WebM and as it is in Matroska (SubRip when Matroska cannot carry it), with its language", async () => {
    await profile("subs_mp4", "480p_fast", "passthrough");
    await profile("subs_mkv", "480p_fast", "passthrough", { container: "mkv" });
    await profile("subs_webm", "720p_vp9", "passthrough");
    const mp4 = await encode("subs_mp4");
    expect(mp4.tasks).toContain("stitch");
    expect(await subtitleStreams(mp4.path)).toEqual([{ codec: "mov_text", language: "eng" }]);
    // no files of their own: passthrough is not extract
    expect(mp4.names.some((name) => name.startsWith("subtitles/"))).toBe(false);
    // Matroska has no mov_text: the MP4 source's text track becomes SubRip
    expect(await subtitleStreams((await encode("subs_mkv")).path)).toEqual([
      { codec: "subrip", language: "eng" },
    ]);
    expect(await subtitleStreams((await encode("subs_webm")).path)).toEqual([
      { codec: "webvtt", language: "eng" },
    ]);
  }, 240_000);
});
