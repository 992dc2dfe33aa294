// An ABR ladder read from remote sources, with the job storage on S3: the same clip (two audio tracks, a
// subtitle track) as an s3:// object and from an http server behind the SSRF guard. Every part of the
// ladder (frame probe, audio tracks, chunk edges' SSIM, the stitch's audio checks) reads the source
// through the egress proxy; both jobs complete, and their manifests open with every variant through
// their signed links.
import { execFile } from "node:child_process";
import { createReadStream } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StorageProvider } from "../../plugins/sdk/storageProvider.ts";
import { createS3Storage } from "../../plugins/storage-s3/index.ts";
import { type InProcessPlatform, startInProcessPlatform } from "../../test/support/inProcessPlatform.ts";
import { kernelApi, until } from "../../test/support/kernelApi.ts";
import { type S3rverProcess, s3PluginsToml, startS3rver } from "../../test/support/s3rverProcess.ts";
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
let s3: S3rverProcess;
let bucket: StorageProvider;
let origin: Server;
let headers: Record<string, string>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-abr-s3-"));
  await mkdir(join(dir, "media"));
  await writeFile(
    join(dir, "eng.srt"),
    "1\n00:00:00,000 --> 00:00:02,000\nHello\n\n2\n00:00:03,000 --> 00:00:04,000\nWorld\n",
  );
  const clip = join(dir, "talk.mp4");
  // 5 s of 320×180 at 15 fps, two tone tracks (eng, fra) and a subtitle track
  await run(ffmpeg, [
    ...["-hide_banner", "-v", "error", "-y"],
    ...["-f", "lavfi", "-i", "testsrc2=s=320x180:r=15:d=5"],
    ...["-f", "lavfi", "-i", "sine=f=440:sample_rate=48000:d=5"],
    ...["-f", "lavfi", "-i", "sine=f=660:sample_rate=48000:d=5"],
    ...["-i", join(dir, "eng.srt")],
    ...["-map", "0:v", "-map", "1:a", "-map", "2:a", "-map", "3:s"],
    ...["-c:v", "libx264", "-preset", "ultrafast", "-g", "15", "-c:a", "aac", "-c:s", "mov_text"],
    ...[
      "-metadata:s:a:0",
      "language=eng",
      "-metadata:s:a:1",
      "language=fra",
      "-metadata:s:s:0",
      "language=eng",
    ],
    clip,
  ]);
  [database, s3] = await Promise.all([createTestDatabase("abr_ladder_s3"), startS3rver()]);
  bucket = createS3Storage({
    bucket: s3.bucket,
    endpoint: s3.endpoint,
    force_path_style: true,
    access_key_id: s3.accessKeyId,
    secret_access_key: s3.secretAccessKey,
  });
  await bucket.put({ key: "sources/talk.mp4" }, Readable.from([await readFile(clip)]));
  const size = (await stat(clip)).size;
  // An origin as a web server is one: it serves byte ranges, so ffmpeg seeks to an MP4's index at its end.
  origin = createServer((request, response) => {
    if (request.url !== "/talk.mp4") return void response.writeHead(404).end();
    const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? "");
    const first = range === null ? 0 : Number(range[1]);
    const last = range === null || range[2] === "" ? size - 1 : Math.min(size - 1, Number(range[2]));
    response.writeHead(range === null ? 200 : 206, {
      "content-type": "video/mp4",
      "accept-ranges": "bytes",
      "content-length": String(last - first + 1),
      ...(range === null ? {} : { "content-range": `bytes ${first}-${last}/${size}` }),
    });
    createReadStream(clip, { start: first, end: last }).pipe(response);
  });
  await new Promise<void>((resolve) => origin.listen(0, "127.0.0.1", resolve));
  const config = loadConfig(
    {
      port: "0",
      data: join(dir, "data"),
      "media-dir": join(dir, "media"),
      workers: "2",
      "job-storage": "s3",
    },
    {
      WEBENCODE_HEARTBEAT_MS: "500",
      WEBENCODE_SEGMENT_SECONDS: "2:4:4",
      // The origin is on loopback: allowed by the name the job uses, never by address.
      WEBENCODE_ALLOW_SOURCE_HOSTS: "localhost",
    },
  );
  await mkdir(config.dataDir, { recursive: true });
  await writeFile(join(config.dataDir, "plugins.toml"), s3PluginsToml(s3));
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
  await new Promise((resolve) => origin?.close(resolve));
  await bucket?.close();
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

const api = kernelApi(
  () => kernel.url,
  () => headers,
);

const tier = (name: string, width: number, height: number, kbps: number) => ({
  name,
  max_width: width,
  max_height: height,
  bitrate_kbps: kbps,
  maxrate_kbps: Math.round(kbps * 1.1),
  bufsize_kbps: kbps * 2,
  enabled: true,
});

// hls_abr_3tier's shape at the clip's size: three tiers, HLS and DASH, thumbnails, subtitles extracted
const ladderProfile = {
  id: "tiny_abr",
  name: "Tiny ABR",
  description: "Three tiny tiers for remote-source tests",
  video: {
    codec: "h264",
    max_width: 320,
    max_height: 180,
    bitrate_kbps: 300,
    maxrate_kbps: 330,
    bufsize_kbps: 600,
    preset: "ultrafast",
    max_fps: 15,
    keyframe_interval_sec: 1,
  },
  audio: { codec: "aac", bitrate_kbps: 64, sample_rate: 48000, channels: 2 },
  container: "mp4",
  hardware: "off",
  packaging: { hls: true, dash: true, segment_sec: 2, encryption: "none" },
  ladder: [tier("180p", 320, 180, 300), tier("144p", 256, 144, 200), tier("108p", 192, 108, 120)],
  thumbnails: { interval_sec: 1, width: 96, storyboard: true },
  subtitles: "extract",
  max_attempts: 1,
};

interface Output {
  name: string;
  url: string;
  type: string;
  download_url: string;
}

const heightsOf = async (url: string, codecType: string) => {
  const probed = await run(ffprobe, [
    "-v",
    "error",
    "-show_entries",
    "stream=codec_type,height",
    "-of",
    "json",
    url,
  ]);
  return (JSON.parse(probed.stdout) as { streams: { codec_type: string; height?: number }[] }).streams
    .filter((s) => s.codec_type === codecType)
    .map((s) => s.height ?? 0);
};

async function ladderFrom(sourceUrl: string) {
  const submitted = await api<{ id: string }>("POST", "/v1/jobs", {
    source_url: sourceUrl,
    profile: "tiny_abr",
  });
  expect(submitted.status).toBe(201);
  const jobId = submitted.body.id;
  const done = await until(
    () =>
      api<{
        status: string;
        error: unknown;
        tasks: {
          kind: string;
          rendition: string | null;
          renditions: string[];
          stitch: { seams_unmeasured: string | null; seams: unknown[] } | null;
        }[];
      }>("GET", `/v1/jobs/${jobId}`),
    (r) => ["completed", "failed", "cancelled"].includes(r.body.status),
    "the ladder job done",
    240_000,
  );
  expect(done.body.error).toBeNull();
  expect(done.body.status).toBe("completed");
  // split into chunks, each making every tier of its range: the chunk edges were measured against the
  // remote source, for each tier's stitch
  const videoTasks = done.body.tasks.filter((t) => t.kind === "video");
  expect(videoTasks.length).toBeGreaterThanOrEqual(2);
  for (const chunk of videoTasks) expect(chunk.renditions).toEqual(["180p", "144p", "108p"]);
  const stitches = done.body.tasks.filter((t) => t.kind === "stitch");
  expect(stitches.map((t) => t.rendition)).toEqual(["180p", "144p", "108p"]);
  for (const { stitch } of stitches) {
    expect(stitch?.seams_unmeasured).toBeNull();
    expect(stitch?.seams.length).toBeGreaterThanOrEqual(1);
  }

  const { body } = await api<{ outputs: Output[] }>("GET", `/v1/jobs/${jobId}/outputs`);
  const byName = new Map(body.outputs.map((o) => [o.name, o]));
  const master = byName.get("package/master.m3u8")!;
  const mpd = byName.get("package/manifest.mpd")!;
  expect(new Set(await heightsOf(master.download_url, "video"))).toEqual(new Set([180, 144, 108]));
  expect(new Set(await heightsOf(mpd.download_url, "video"))).toEqual(new Set([180, 144, 108]));
  expect(await heightsOf(mpd.download_url, "audio")).toHaveLength(2);
  const vtt = body.outputs.find((o) => o.name.startsWith("subtitles/") && o.name.endsWith(".vtt"));
  expect(await (await fetch(vtt!.download_url)).text()).toContain("Hello");
  // the job storage is the bucket: every output is an object there
  for (const output of body.outputs)
    expect(await bucket.head({ key: output.url })).toMatchObject({ _tag: "ObjectMetadata" });
  expect(body.outputs.some((o) => o.type === "storyboard")).toBe(true);
  expect(body.outputs.filter((o) => o.type === "thumbnail").length).toBeGreaterThanOrEqual(3);
}

describe("an ABR ladder from remote sources, with S3 job storage", () => {
  it("encodes an s3:// source split into chunks, packages it and its variants open through signed links", async () => {
    expect((await api("POST", "/v1/profiles", ladderProfile)).status).toBe(201);
    await ladderFrom(`s3://${s3.bucket}/sources/talk.mp4`);
  }, 300_000);

  it("encodes an http source behind the SSRF guard the same way", async () => {
    const { port } = origin.address() as AddressInfo;
    await ladderFrom(`http://localhost:${port}/talk.mp4`);
  }, 300_000);
});
