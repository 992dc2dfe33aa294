// What viewers play, in Debian's chromium, from the kernel's playback links on another origin: an HLS
// package encrypted with AES-128 (hls.js fetches the key from the kernel through the link's grant and
// decrypts every segment) and the audio-only package of a podcast, its HLS with hls.js and its DASH with
// dash.js, each to its end.
import { execFile } from "node:child_process";
import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type PlatformDatabase } from "../../infra/platform/openDatabase.ts";
import { loadConfig } from "../../infra/platform/platformConfig.ts";
import { type Kernel, startKernel } from "../../infra/platform/startKernel.ts";
import { startWorkers } from "../../infra/platform/startWorkers.ts";
import { createMemoryProgressBus } from "../../infra/progress/memoryProgressBus.ts";
import { createMemoryWorkQueue } from "../../infra/queue/memory/memoryWorkQueue.ts";
import type { EncodeWorker } from "../../workers/encode/encodeWorker.ts";
import { kernelApi, until } from "../support/kernelApi.ts";
import { type PackagePlayerServer, startPackagePlayerServer } from "../support/packagePlayerServer.ts";
import { untilPlayer } from "../support/playerSession.ts";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase.ts";

const run = promisify(execFile);
const ffmpeg = process.env.FFMPEG_PATH ?? "ffmpeg";
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

let dir: string;
let database: TestDatabase;
let db: PlatformDatabase;
let kernel: Kernel;
let workers: EncodeWorker[] = [];
let browser: Browser;
let players: PackagePlayerServer;
let headers: Record<string, string>;

const api = kernelApi(
  () => kernel.url,
  () => headers,
);

const encrypted = {
  id: "small_hls_aes",
  name: "Small encrypted HLS",
  description: "One small rendition, HLS with AES-128",
  video: {
    codec: "h264",
    max_width: 320,
    max_height: 180,
    bitrate_kbps: 300,
    maxrate_kbps: 330,
    bufsize_kbps: 600,
    preset: "ultrafast",
    max_fps: 25,
    keyframe_interval_sec: 2,
  },
  audio: { codec: "aac", bitrate_kbps: 64, sample_rate: 48000, channels: 2 },
  container: "mp4",
  hardware: "off",
  packaging: { hls: true, dash: false, segment_sec: 2, encryption: "aes-128" },
  ladder: [],
  thumbnails: null,
  subtitles: "none",
  max_attempts: 2,
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-hls-aes-play-"));
  await chmod(dir, 0o755);
  await mkdir(join(dir, "media"));
  await run(ffmpeg, [
    ...["-hide_banner", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=320x180:r=25:d=6"],
    ...["-f", "lavfi", "-i", "sine=f=440:sample_rate=48000:d=6", "-shortest"],
    ...["-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", join(dir, "media", "clip.mp4")],
  ]);
  await run(ffmpeg, [
    ...["-hide_banner", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=f=330:sample_rate=44100:d=6"],
    ...["-ac", "2", join(dir, "media", "podcast.mp3")],
  ]);
  database = await createTestDatabase("hls_encrypted_playback");
  const config = loadConfig(
    { port: "0", data: join(dir, "data"), "media-dir": join(dir, "media"), workers: "1" },
    { WEBENCODE_HEARTBEAT_MS: "500" },
  );
  db = await openDatabase({ dataDir: config.dataDir, databaseUrl: database.url });
  const queue = createMemoryWorkQueue();
  const bus = createMemoryProgressBus();
  kernel = await startKernel(config, db, queue, bus, () => {});
  workers = await startWorkers(config, db.store, queue, bus, () => {});
  const issued = await kernel.tokens.issue(
    { name: "admin", role: "admin" },
    { userId: "system", role: "system" },
  );
  if (issued._tag !== "Issued") throw new Error(issued._tag);
  headers = { authorization: `Bearer ${issued.token}`, "content-type": "application/json" };
  expect((await api("POST", "/v1/profiles", encrypted)).status).toBe(201);
  // the player page and its libraries on an origin of their own (no package of its own to serve)
  players = await startPackagePlayerServer(join(dir, "media"));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--autoplay-policy=no-user-gesture-required",
    ],
  });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await players?.close();
  await Promise.all(workers.map((w) => w.stop()));
  await kernel?.stop();
  await db?.close();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

/** The playback links of a finished job's master playlist and, where it has one, its MPD. */
async function manifestsOf(sourceUrl: string, profile: string): Promise<{ master: string; mpd?: string }> {
  const submitted = await api<{ id: string }>("POST", "/v1/jobs", { source_url: sourceUrl, profile });
  expect(submitted.status).toBe(201);
  const done = await until(
    () => api<{ status: string; error: unknown }>("GET", `/v1/jobs/${submitted.body.id}`),
    (r) => ["completed", "failed", "cancelled"].includes(r.body.status),
    `the ${profile} job done`,
    120_000,
  );
  expect(done.body.error).toBeNull();
  const { body } = await api<{ outputs: { name: string; download_url: string }[] }>(
    "GET",
    `/v1/jobs/${submitted.body.id}/outputs`,
  );
  const master = body.outputs.find((o) => o.name === "package/master.m3u8");
  if (!master) throw new Error(`no master playlist in ${body.outputs.map((o) => o.name).join(", ")}`);
  const mpd = body.outputs.find((o) => o.name === "package/manifest.mpd");
  return { master: master.download_url, ...(mpd ? { mpd: mpd.download_url } : {}) };
}

/** The podcast's job, encoded once for both players. */
let podcast: Promise<{ master: string; mpd?: string }> | undefined;
const podcastManifests = () => {
  podcast ??= manifestsOf("fs://podcast.mp3", "hls_abr_3tier");
  return podcast;
};

async function playToEnd(manifest: string, player: "hls" | "dash" = "hls") {
  const page = await browser.newPage();
  const keys: number[] = [];
  page.on("response", (response) => {
    if (/\/keys\/[^/]+\.key$/.test(new URL(response.url()).pathname)) keys.push(response.status());
  });
  await page.goto(`${players.url}/player.html`);
  await page.evaluate(
    player === "hls" ? `playHls(${JSON.stringify(manifest)}, 0)` : `playDash(${JSON.stringify(manifest)})`,
  );
  const played = await untilPlayer(page, "the end of playback", (r) => r.ended, 60_000);
  await page.close();
  return { played, keys };
}

describe("packages played in chromium", () => {
  it("plays an AES-128 package to the end, with the key from the kernel", async () => {
    const { played, keys } = await playToEnd((await manifestsOf("fs://clip.mp4", "small_hls_aes")).master);
    expect(played.fatal).toEqual([]);
    expect(played.playing).toBe(true);
    // hls.js asked the kernel for the key through the link and got it
    expect(keys.length).toBeGreaterThanOrEqual(1);
    expect(new Set(keys)).toEqual(new Set([200]));
  }, 180_000);

  it("plays the audio-only package of a podcast to the end with hls.js", async () => {
    const { played, keys } = await playToEnd((await podcastManifests()).master);
    expect(played.fatal).toEqual([]);
    expect(played.playing).toBe(true);
    expect(keys).toEqual([]);
  }, 180_000);

  it("plays the podcast's MPD over the same segments to the end with dash.js", async () => {
    const { mpd } = await podcastManifests();
    expect(mpd).toBeDefined();
    const { played } = await playToEnd(mpd!, "dash");
    expect(played.fatal).toEqual([]);
    expect(played.playing).toBe(true);
  }, 180_000);
});
