// The built-in `hls_abr_3tier` profile through the whole platform, played as viewers play it: a 720p clip
// with two audio tracks and two subtitle tracks becomes a ladder (720p and 480p; 1080p would upscale),
// and the master playlist and the MPD, fetched from the kernel through their signed playback links on
// another origin, play in Debian's chromium with hls.js and dash.js to the end, down a rendition when
// the bandwidth is cut; the thumbnails, the storyboard and the extracted subtitles are there.
import { execFile } from "node:child_process";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDashboardBuild } from "../../infra/platform/dashboardBuild.ts";
import { openDatabase, type PlatformDatabase } from "../../infra/platform/openDatabase.ts";
import { loadConfig } from "../../infra/platform/platformConfig.ts";
import { type Kernel, startKernel } from "../../infra/platform/startKernel.ts";
import { startWorkers } from "../../infra/platform/startWorkers.ts";
import { createMemoryProgressBus } from "../../infra/progress/memoryProgressBus.ts";
import { createMemoryWorkQueue } from "../../infra/queue/memory/memoryWorkQueue.ts";
import type { EncodeWorker } from "../../workers/encode/encodeWorker.ts";
import { openDashboardBrowser } from "../support/dashboardBrowser.ts";
import { kernelApi, until } from "../support/kernelApi.ts";
import { type PackagePlayerServer, startPackagePlayerServer } from "../support/packagePlayerServer.ts";
import type { PlatformProcess } from "../support/platformProcess.ts";
import { playThrottled } from "../support/playerSession.ts";
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
let outputs: { name: string; type: string; download_url: string }[];
let jobId: string;
let operatorToken: string;

const api = kernelApi(
  () => kernel.url,
  () => headers,
);

const srt = (lines: string[]) =>
  lines
    .map(
      (text, i) =>
        `${i + 1}\n00:00:${String(i * 6).padStart(2, "0")},000 --> 00:00:${String(i * 6 + 4).padStart(2, "0")},000\n${text}\n`,
    )
    .join("\n");

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-abr-play-"));
  await chmod(dir, 0o755);
  await mkdir(join(dir, "media"));
  await writeFile(join(dir, "eng.srt"), srt(["One", "Two", "Three", "Four"]));
  await writeFile(join(dir, "fra.srt"), srt(["Un", "Deux", "Trois", "Quatre"]));
  await run(ffmpeg, [
    ...["-hide_banner", "-v", "error", "-y"],
    ...["-f", "lavfi", "-i", "testsrc2=s=1280x720:r=30:d=24"],
    ...[
      "-f",
      "lavfi",
      "-i",
      "sine=f=440:sample_rate=48000:d=24",
      "-f",
      "lavfi",
      "-i",
      "sine=f=660:sample_rate=48000:d=24",
    ],
    ...["-i", join(dir, "eng.srt"), "-i", join(dir, "fra.srt")],
    ...["-map", "0:v", "-map", "1:a", "-map", "2:a", "-map", "3:s", "-map", "4:s"],
    ...["-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-c:s", "mov_text"],
    ...["-metadata:s:a:0", "language=eng", "-metadata:s:a:1", "language=fra"],
    ...["-metadata:s:s:0", "language=eng", "-metadata:s:s:1", "language=fra"],
    join(dir, "media", "show.mp4"),
  ]);
  // the kernel serves the dashboard it finds built
  expect((await ensureDashboardBuild())._tag).toBe("DashboardReady");
  database = await createTestDatabase("abr_playback");
  const config = loadConfig(
    { port: "0", data: join(dir, "data"), "media-dir": join(dir, "media"), workers: "2" },
    { WEBENCODE_HEARTBEAT_MS: "500" },
  );
  db = await openDatabase({ dataDir: config.dataDir, databaseUrl: database.url });
  const queue = createMemoryWorkQueue();
  const bus = createMemoryProgressBus();
  kernel = await startKernel(config, db, queue, bus, () => {});
  workers = await startWorkers(config, db.store, queue, bus, () => {});
  const issued = await kernel.tokens.issue(
    { name: "op", role: "operator" },
    { userId: "system", role: "system" },
  );
  if (issued._tag !== "Issued") throw new Error(issued._tag);
  operatorToken = issued.token;
  headers = { authorization: `Bearer ${issued.token}`, "content-type": "application/json" };
  // both workers listed before the job is planned, so its renditions are split between them
  await until(
    () => api<{ workers: { status: string }[] }>("GET", "/v1/workers"),
    (r) => r.body.workers.filter((w) => w.status === "online").length === 2,
    "both workers online",
  );
  const submitted = await api<{ id: string }>("POST", "/v1/jobs", {
    source_url: "fs://show.mp4",
    profile: "hls_abr_3tier",
  });
  expect(submitted.status).toBe(201);
  const done = await until(
    () => api<{ status: string; error: unknown }>("GET", `/v1/jobs/${submitted.body.id}`),
    (r) => ["completed", "failed", "cancelled"].includes(r.body.status),
    "the hls_abr_3tier job done",
    170_000,
  );
  expect(done.body.error).toBeNull();
  jobId = submitted.body.id;
  outputs = (await api<{ outputs: typeof outputs }>("GET", `/v1/jobs/${submitted.body.id}/outputs`)).body
    .outputs;
  // the player page and its libraries on an origin of their own: the kernel's links work across origins
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
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await players?.close();
  await Promise.all(workers.map((w) => w.stop()));
  await kernel?.stop();
  await db?.close();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

const link = (name: string) => {
  const output = outputs.find((o) => o.name === name);
  if (!output) throw new Error(`no output ${name} in ${outputs.map((o) => o.name).join(", ")}`);
  return output.download_url;
};

/** 1.6 Mbit/s while cut: below the 720p tier (2.5 Mbit/s), above the 480p one (1 Mbit/s). */
const LINE_BETWEEN_TIERS = 200_000;

/** hls.js may abandon a fragment to switch down, stall while starved, or skip the first frames' gap. */
const starved =
  /^(networkError\/(aborted|fragLoadTimeOut)|mediaError\/buffer(SeekOverHole|StalledError|NudgeOnStall))$/;

describe("hls_abr_3tier through the platform, in chromium", () => {
  it("lists the manifests, the renditions, the thumbnails, the storyboard and the subtitles", () => {
    expect(
      outputs
        .filter((o) => o.type === "manifest")
        .map((o) => o.name)
        .sort(),
    ).toEqual(["package/manifest.mpd", "package/master.m3u8"]);
    expect(outputs.some((o) => o.type === "storyboard" && o.name.endsWith(".vtt"))).toBe(true);
    expect(outputs.filter((o) => o.type === "thumbnail").length).toBeGreaterThanOrEqual(3);
    expect(outputs.filter((o) => o.name.startsWith("subtitles/") && o.name.endsWith(".srt"))).toHaveLength(2);
  });

  it("plays master.m3u8 with hls.js to the end, 720p then 480p when the bandwidth is cut, with both audio tracks", async () => {
    const page = await browser.newPage();
    const played = await playThrottled(
      page,
      players.url,
      `playHls(${JSON.stringify(link("package/master.m3u8"))}, 1)`,
      LINE_BETWEEN_TIERS,
    );
    expect(played.fatal).toEqual([]);
    expect(played.warnings.filter((w) => !starved.test(w))).toEqual([]);
    expect(played.levels[0]).toBe("720p");
    expect(new Set(played.levels)).toEqual(new Set(["720p", "480p"]));
    expect(played.audioTracks).toEqual([
      { lang: "en", name: "English" },
      { lang: "fr", name: "Français" },
    ]);
    expect(played.subtitleTracks.map((t) => t.lang)).toEqual(["en", "fr"]);
    await page.close();
  });

  it("plays manifest.mpd with dash.js to the end, changing rendition when the bandwidth is cut", async () => {
    const page = await browser.newPage();
    const played = await playThrottled(
      page,
      players.url,
      `playDash(${JSON.stringify(link("package/manifest.mpd"))})`,
      LINE_BETWEEN_TIERS,
    );
    expect(played.fatal).toEqual([]);
    expect(new Set(played.levels).size, JSON.stringify(played)).toBeGreaterThanOrEqual(2);
    expect(played.audioTracks.map((t) => t.lang).sort()).toEqual(["en", "fr"]);
    await page.close();
  });

  it("plays on the job's page, with the storyboard's thumbnail over the seek bar and the thumbnails below", async () => {
    const dashboard = await openDashboardBrowser({ url: kernel.url } as PlatformProcess, operatorToken);
    try {
      const context = await dashboard.signedIn(operatorToken);
      const page = await context.newPage();
      await page.goto(`${kernel.url}/jobs/${jobId}`);
      const video = page.getByTestId("job-video");
      await video.waitFor();
      await page.getByTestId("job-thumbnails").locator("img").first().waitFor();
      // hls.js attaches the package; muted, so the browser lets it play without a gesture
      await video.evaluate((element: { muted: boolean; play(): Promise<void> }) => {
        element.muted = true;
        return element.play();
      });
      await page.waitForFunction(
        () =>
          ((
            globalThis as unknown as {
              document: { querySelector(s: string): { currentTime: number } | null };
            }
          ).document.querySelector('[data-testid="job-video"]')?.currentTime ?? 0) > 2,
        undefined,
        { timeout: 30_000 },
      );
      expect(await page.getByRole("alert").count()).toBe(0);
      const seek = page.getByTestId("storyboard-seek");
      // as a viewer does: scrolled into view, the pointer over 60 % of the bar
      await seek.scrollIntoViewIfNeeded();
      const box = (await seek.boundingBox())!;
      await seek.hover({ position: { x: box.width * 0.6, y: box.height / 2 } });
      const preview = page.getByTestId("storyboard-preview");
      await preview.waitFor();
      expect(
        await preview.evaluate((el: { style: { backgroundImage: string } }) => el.style.backgroundImage),
      ).toMatch(/\/v1\/play\/[^/]+\/sprite-\d+\.jpg/);
      await dashboard.shot(page, "job-abr");
      // too short to split, the ladder was made from one decode: one video task for both tiers
      const { body } = await api<{ tasks: { kind: string; renditions: string[] }[] }>(
        "GET",
        `/v1/jobs/${jobId}`,
      );
      expect(body.tasks.filter((t) => t.kind === "video").map((t) => t.renditions)).toEqual([
        ["720p", "480p"],
      ]);
      await context.close();
    } finally {
      await dashboard.close();
    }
  });
});
