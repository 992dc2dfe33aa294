// An ABR ladder through a real kernel and two real encode workers: a stored profile with three tiers,
// HLS and DASH packaging, thumbnails with a storyboard and subtitle extraction, on a clip with two audio
// tracks and two subtitle tracks. The job completes; its outputs are listed by type; the master playlist
// and the MPD, fetched through their playback links as a player would, open in ffprobe with every variant;
// the subtitles and the storyboard are there.
import { execFile } from "node:child_process";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jobStream } from "../../schemas/events/streamNames.ts";
import { type InProcessPlatform, startInProcessPlatform } from "../../test/support/inProcessPlatform.ts";
import { kernelApi, until } from "../../test/support/kernelApi.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/testDatabase.ts";
import type { PlatformDatabase } from "./openDatabase.ts";
import { loadConfig } from "./platformConfig.ts";
import type { Kernel } from "./startKernel.ts";

const run = promisify(execFile);
const ffmpeg = process.env.FFMPEG_PATH ?? "ffmpeg";
const ffprobe = process.env.FFPROBE_PATH ?? "ffprobe";

let database: TestDatabase;
let db: PlatformDatabase;
let platform: InProcessPlatform;
let kernel: Kernel;
let dir: string;
let headers: Record<string, string>;

const srt = (lines: string[]) =>
  lines.map((text, i) => `${i + 1}\n00:00:0${i * 3},000 --> 00:00:0${i * 3 + 2},000\n${text}\n`).join("\n");

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-abr-"));
  await chmod(dir, 0o755);
  await mkdir(join(dir, "media"));
  await writeFile(join(dir, "eng.srt"), srt(["Hello", "World", "Again"]));
  await writeFile(join(dir, "fra.srt"), srt(["Bonjour", "Monde", "Encore"]));
  // 12 s of 640×360 at 30 fps, two tone tracks (eng, fra) and two subtitle tracks (eng, fra)
  await run(ffmpeg, [
    ...["-hide_banner", "-v", "error", "-y"],
    ...["-f", "lavfi", "-i", "testsrc2=s=640x360:r=30:d=12"],
    ...[
      "-f",
      "lavfi",
      "-i",
      "sine=f=440:sample_rate=48000:d=12",
      "-f",
      "lavfi",
      "-i",
      "sine=f=660:sample_rate=48000:d=12",
    ],
    ...["-i", join(dir, "eng.srt"), "-i", join(dir, "fra.srt")],
    ...["-map", "0:v", "-map", "1:a", "-map", "2:a", "-map", "3:s", "-map", "4:s"],
    ...["-c:v", "libx264", "-preset", "ultrafast", "-g", "30", "-c:a", "aac", "-c:s", "mov_text"],
    ...["-metadata:s:a:0", "language=eng", "-metadata:s:a:1", "language=fra"],
    ...["-metadata:s:s:0", "language=eng", "-metadata:s:s:1", "language=fra"],
    join(dir, "media", "talk.mp4"),
  ]);
  database = await createTestDatabase("abr_ladder");
  const config = loadConfig(
    { port: "0", data: join(dir, "data"), "media-dir": join(dir, "media"), workers: "2" },
    { WEBENCODE_HEARTBEAT_MS: "500", WEBENCODE_SEGMENT_SECONDS: "2:6:6" },
  );
  platform = await startInProcessPlatform(config, database.url);
  ({ db, kernel, headers } = platform);
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

const tier = (name: string, width: number, height: number, kbps: number) => ({
  name,
  max_width: width,
  max_height: height,
  bitrate_kbps: kbps,
  maxrate_kbps: Math.round(kbps * 1.1),
  bufsize_kbps: kbps * 2,
  enabled: true,
});

const ladderProfile = {
  id: "small_abr",
  name: "Small ABR",
  description: "Three small tiers for tests",
  video: {
    codec: "h264",
    max_width: 640,
    max_height: 360,
    bitrate_kbps: 800,
    maxrate_kbps: 880,
    bufsize_kbps: 1600,
    preset: "ultrafast",
    max_fps: 30,
    keyframe_interval_sec: 2,
  },
  audio: { codec: "aac", bitrate_kbps: 96, sample_rate: 48000, channels: 2 },
  container: "mp4",
  hardware: "off",
  packaging: { hls: true, dash: true, segment_sec: 4, encryption: "none" },
  // the 720p tier is above the source: it is left out, never upscaled
  ladder: [
    tier("720p", 1280, 720, 2500),
    tier("360p", 640, 360, 800),
    tier("240p", 426, 240, 400),
    tier("144p", 256, 144, 200),
  ],
  thumbnails: { interval_sec: 2, width: 160, storyboard: true },
  subtitles: "extract",
  max_attempts: 3,
};

interface Output {
  name: string;
  type: string;
  download_url: string;
  size_bytes: number;
}

interface StitchFigures {
  frame_count: number;
  mean_ssim: number | null;
  worst_seam_delta: number | null;
  seams: { delta: number }[];
  seams_unmeasured: string | null;
}

interface DoneTask {
  id: string;
  kind: string;
  rendition: string | null;
  renditions: string[];
  worker_id: string;
  stitch: StitchFigures | null;
}

async function ladderJob(): Promise<{ jobId: string; tasks: DoneTask[] }> {
  const submitted = await api<{ id: string }>("POST", "/v1/jobs", {
    source_url: "fs://talk.mp4",
    profile: "small_abr",
  });
  expect(submitted.status).toBe(201);
  const jobId = submitted.body.id;
  const done = await until(
    () =>
      api<{
        status: string;
        error: unknown;
        tasks: DoneTask[];
      }>("GET", `/v1/jobs/${jobId}`),
    (r) => ["completed", "failed", "cancelled"].includes(r.body.status),
    "the ladder job done",
    240_000,
  );
  expect(done.body.error).toBeNull();
  expect(done.body.status).toBe("completed");
  const tasks = done.body.tasks;
  for (const kind of ["audio", "subtitles", "thumbnails", "package"])
    expect(tasks.filter((t) => t.kind === kind)).toHaveLength(1);
  return { jobId, tasks };
}

interface ProbedStream {
  codec_type: string;
  height?: number;
}

/** The streams ffprobe opens at a manifest's URL, as a player's tools read it. */
async function probeStreams(url: string): Promise<ProbedStream[]> {
  const probed = await run(ffprobe, [
    "-v",
    "error",
    "-show_entries",
    "stream=codec_type,height",
    "-of",
    "json",
    url,
  ]);
  return (JSON.parse(probed.stdout) as { streams: ProbedStream[] }).streams;
}

/** The package a player opens: every tier in HLS and DASH, both audio tracks, subtitles, the storyboard. */
async function expectPlayablePackage(jobId: string): Promise<void> {
  const { body } = await api<{ outputs: Output[] }>("GET", `/v1/jobs/${jobId}/outputs`);
  const byName = new Map(body.outputs.map((o) => [o.name, o]));
  expect(byName.get("package/master.m3u8")?.type).toBe("manifest");
  expect(byName.get("package/manifest.mpd")?.type).toBe("manifest");
  expect(body.outputs.filter((o) => o.type === "rendition").length).toBeGreaterThanOrEqual(3);
  // each text track as WebVTT and SRT, and the package's WebVTT beside its playlists
  const subtitles = body.outputs.filter((o) => o.type === "subtitle").map((o) => o.name);
  expect(subtitles.filter((name) => name.startsWith("subtitles/"))).toHaveLength(4);
  expect(subtitles.filter((name) => name.startsWith("package/") && name.endsWith(".vtt"))).toHaveLength(2);
  expect(body.outputs.some((o) => o.type === "storyboard" && o.name.endsWith(".vtt"))).toBe(true);
  expect(body.outputs.filter((o) => o.type === "thumbnail").length).toBeGreaterThanOrEqual(6);

  // the master playlist as a player reads it, through its playback link, no token header
  const masterUrl = byName.get("package/master.m3u8")!.download_url;
  const master = await (await fetch(masterUrl)).text();
  expect(master).toMatch(/^#EXTM3U/);
  const variants = [...master.matchAll(/RESOLUTION=(\d+)x(\d+)/g)].map((m) => Number(m[2]));
  expect(variants).toEqual([360, 240, 144]);
  expect(master).toMatch(/TYPE=AUDIO[^\n]*LANGUAGE="en"/);
  // tracks named for viewers, in their own language
  expect(master).toMatch(/TYPE=AUDIO[^\n]*NAME="English"/);
  expect(master).toMatch(/TYPE=AUDIO[^\n]*NAME="Français"/);
  expect(master).toMatch(/TYPE=SUBTITLES[^\n]*NAME="Français"/);
  expect(master).toMatch(/TYPE=AUDIO[^\n]*LANGUAGE="fr"/);
  expect(master).toMatch(/TYPE=SUBTITLES[^\n]*LANGUAGE="en"/);
  const heights = (streams: ProbedStream[]) =>
    new Set(streams.filter((s) => s.codec_type === "video").map((s) => s.height));
  expect(heights(await probeStreams(masterUrl))).toEqual(new Set([360, 240, 144]));
  const dashStreams = await probeStreams(byName.get("package/manifest.mpd")!.download_url);
  expect(heights(dashStreams)).toEqual(new Set([360, 240, 144]));
  expect(dashStreams.filter((s) => s.codec_type === "audio")).toHaveLength(2);

  // subtitles extracted with their cues, and a storyboard whose sprites load through their links
  const vtt = body.outputs.find((o) => o.name.startsWith("subtitles/") && /eng\.vtt$/.test(o.name));
  expect(await (await fetch(vtt!.download_url)).text()).toContain("Hello");
  const storyboard = body.outputs.find((o) => o.type === "storyboard" && o.name.endsWith(".vtt"))!;
  const cues = await (await fetch(storyboard.download_url)).text();
  const sprite = /^(\S+\.jpg)#xywh=/m.exec(cues)![1]!;
  const spriteAnswer = await fetch(new URL(sprite, storyboard.download_url));
  expect(spriteAnswer.status).toBe(200);
  expect(spriteAnswer.headers.get("content-type")).toBe("image/jpeg");
}

describe("an ABR ladder through the platform", () => {
  it("encodes every tier that fits, packages HLS and DASH over them, and a player's tools open every variant", async () => {
    const created = await api("POST", "/v1/profiles", ladderProfile);
    expect(created.status).toBe(201);
    const { jobId, tasks } = await ladderJob();
    // the source cut into chunks, each making every tier of its range from one decode
    const chunks = tasks.filter((t) => t.kind === "video");
    expect(chunks.length).toBeGreaterThanOrEqual(2);
    for (const chunk of chunks)
      expect([chunk.rendition, chunk.renditions]).toEqual([null, ["360p", "240p", "144p"]]);
    // two workers shared the chunks
    expect(new Set(chunks.map((t) => t.worker_id)).size).toBe(2);
    // every chunk measured each tier's sides of its seams right after its encode, for that tier's stitch
    const events = await db.store.readStream(jobStream.name(jobId));
    const chunkIds = new Set(chunks.map((c) => c.id));
    const completions = events.flatMap((e) => {
      const data = e.data as { taskId: string; files?: { rendition?: string; edgeSsim?: object }[] };
      return e.type === "TaskCompleted" && chunkIds.has(data.taskId) ? [data] : [];
    });
    expect(completions).toHaveLength(chunks.length);
    for (const completed of completions) {
      expect(completed.files?.map((f) => f.rendition)).toEqual(["360p", "240p", "144p"]);
      for (const file of completed.files ?? [])
        expect(file.edgeSsim).toMatchObject({ samples: expect.anything(), measureMs: expect.any(Number) });
    }
    // each rendition stitched with its own proof, every seam measured against the source at its size
    const stitches = tasks.filter((t) => t.kind === "stitch");
    expect(stitches.map((t) => t.rendition).sort()).toEqual(["144p", "240p", "360p"]);
    for (const { stitch } of stitches) {
      expect(stitch).toMatchObject({ seams_unmeasured: null, mean_ssim: expect.any(Number) });
      expect(stitch!.seams.length).toBeGreaterThanOrEqual(1);
      expect(stitch!.mean_ssim!).toBeGreaterThan(0.8);
    }
    const job = await api<{ stitch: StitchFigures }>("GET", `/v1/jobs/${jobId}`);
    const worst = Math.min(...stitches.map((t) => t.stitch!.worst_seam_delta!));
    expect(job.body.stitch.worst_seam_delta).toBe(worst);
    await expectPlayablePackage(jobId);
  }, 300_000);

  it("split across two workers without packaging, makes each tier one file with every audio track, frame for frame", async () => {
    const filesProfile = {
      ...ladderProfile,
      id: "small_abr_files",
      name: "Small ABR files",
      packaging: null,
      thumbnails: null,
      subtitles: "none",
    };
    expect((await api("POST", "/v1/profiles", filesProfile)).status).toBe(201);
    const submitted = await api<{ id: string }>("POST", "/v1/jobs", {
      source_url: "fs://talk.mp4",
      profile: "small_abr_files",
    });
    expect(submitted.status).toBe(201);
    const done = await until(
      () =>
        api<{ status: string; error: unknown; tasks: DoneTask[] }>("GET", `/v1/jobs/${submitted.body.id}`),
      (r) => ["completed", "failed", "cancelled"].includes(r.body.status),
      "the ladder of files done",
      240_000,
    );
    expect(done.body.error).toBeNull();
    const { tasks } = done.body;
    const chunks = tasks.filter((t) => t.kind === "video");
    expect(chunks.length).toBeGreaterThanOrEqual(2);
    for (const chunk of chunks) expect(chunk.renditions).toEqual(["360p", "240p", "144p"]);
    expect(new Set(chunks.map((t) => t.worker_id)).size).toBe(2);
    expect(tasks.filter((t) => t.kind === "package")).toHaveLength(0);
    const stitches = tasks.filter((t) => t.kind === "stitch");
    expect(stitches.map((t) => t.rendition).sort()).toEqual(["144p", "240p", "360p"]);
    for (const { stitch } of stitches)
      expect(stitch).toMatchObject({ seams_unmeasured: null, frame_count: 360 });

    // each tier a progressive file a player opens through its link: its height, every frame, both audio tracks
    const { body } = await api<{ outputs: Output[] }>("GET", `/v1/jobs/${submitted.body.id}/outputs`);
    const files = body.outputs.filter((o) => o.type === "rendition");
    expect(files).toHaveLength(3);
    const heights: number[] = [];
    for (const file of files) {
      const probed = await run(ffprobe, [
        ...["-v", "error", "-count_packets", "-show_entries"],
        ...["stream=codec_type,height,nb_read_packets:stream_tags=language:format=duration", "-of", "json"],
        file.download_url,
      ]);
      const info = JSON.parse(probed.stdout) as {
        streams: (ProbedStream & { nb_read_packets: string; tags?: { language?: string } })[];
        format: { duration: string };
      };
      const video = info.streams.filter((st) => st.codec_type === "video");
      expect(video).toHaveLength(1);
      heights.push(video[0]!.height!);
      expect(Number(video[0]!.nb_read_packets)).toBe(360);
      const audio = info.streams.filter((st) => st.codec_type === "audio");
      expect(audio.map((st) => st.tags?.language)).toEqual(["eng", "fra"]);
      expect(Math.abs(Number(info.format.duration) - 12)).toBeLessThan(0.1);
    }
    expect(heights.sort((a, b) => b - a)).toEqual([360, 240, 144]);
  }, 300_000);

  it("with one worker, makes every tier in one video task from one decode of the source, and packages the same", async () => {
    const listed = await api<{ workers: { id: string }[] }>("GET", "/v1/workers");
    const drained = listed.body.workers[1]!.id;
    expect((await api("POST", `/v1/workers/${encodeURIComponent(drained)}/drain`)).status).toBe(200);
    await until(
      () => api<{ workers: { id: string; status: string; draining: boolean }[] }>("GET", "/v1/workers"),
      (r) => r.body.workers.some((w) => w.id === drained && w.draining),
      "one worker drained",
    );
    const { jobId, tasks } = await ladderJob();
    const video = tasks.filter((t) => t.kind === "video");
    expect(video.map((t) => [t.rendition, t.renditions])).toEqual([[null, ["360p", "240p", "144p"]]]);
    expect(tasks.filter((t) => t.kind === "stitch")).toHaveLength(0);
    expect(new Set(tasks.map((t) => t.worker_id))).toEqual(new Set([video[0]!.worker_id]));
    // the light work began beside the encode on the same worker, not after it: the audio first
    const events = await db.store.readStream(jobStream.name(jobId));
    const at = (type: string, taskId: string) =>
      events.findIndex((e) => e.type === type && e.data.taskId === taskId);
    const audio = tasks.find((t) => t.kind === "audio")!;
    expect(at("TaskStarted", audio.id)).toBeGreaterThan(-1);
    expect(at("TaskStarted", audio.id)).toBeLessThan(at("TaskCompleted", video[0]!.id));
    await expectPlayablePackage(jobId);
  }, 300_000);
});
