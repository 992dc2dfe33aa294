// Split & stitch through a real kernel and two real encode workers: a job is planned as chunks, the
// audio of the whole source and a stitch; the stitched output holds exactly the source's frames and
// both audio tracks with their languages; each seam's SSIM is in GET /v1/jobs/{id}; a cancel stops
// every ffmpeg of the job on both workers within 2 s.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { combineChunkEdges } from "../../plugins/sdk/combineChunkEdges.ts";
import type { ChunkEdgeSsimData } from "../../schemas/events/jobEvents.ts";
import { jobStream } from "../../schemas/events/streamNames.ts";
import { type InProcessPlatform, startInProcessPlatform } from "../../test/support/inProcessPlatform.ts";
import { kernelApi, until } from "../../test/support/kernelApi.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/testDatabase.ts";
import type { EncodeWorker } from "../../workers/encode/encodeWorker.ts";
import { createMemoryWorkQueue } from "../queue/memory/memoryWorkQueue.ts";
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
let workers: EncodeWorker[] = [];
let dir: string;
let headers: Record<string, string>;
let queue: ReturnType<typeof createMemoryWorkQueue>;

/** At 30 fps with a keyframe every second and two tone tracks tagged eng and fra. */
async function makeClip(
  path: string,
  seconds: number,
  size = "320x240",
  extra: string[] = [],
): Promise<void> {
  await run(ffmpeg, [
    "-hide_banner",
    "-v",
    "error",
    "-y",
    "-filter_complex",
    `testsrc2=s=${size}:r=30:d=${seconds}[v];sine=f=440:sample_rate=48000:d=${seconds}[a0];sine=f=660:sample_rate=48000:d=${seconds}[a1]`,
    "-map",
    "[v]",
    "-map",
    "[a0]",
    "-map",
    "[a1]",
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    "-g",
    "30",
    "-c:a",
    "aac",
    "-metadata:s:a:0",
    "language=eng",
    "-metadata:s:a:1",
    "language=fra",
    ...extra,
    path,
  ]);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-split-"));
  await chmod(dir, 0o755);
  await mkdir(join(dir, "media"));
  await makeClip(join(dir, "media", "twelve.mp4"), 12);
  await makeClip(join(dir, "media", "long.mp4"), 40, "1280x720");
  // the first 60 % of a clip whose index comes first: it probes, but its last chunks cannot be read
  await makeClip(join(dir, "media", "whole.mp4"), 12, "320x240", ["-movflags", "+faststart"]);
  const whole = await readFile(join(dir, "media", "whole.mp4"));
  await writeFile(join(dir, "media", "truncated.mp4"), whole.subarray(0, Math.floor(whole.length * 0.6)));
  // one keyframe for the whole file and uneven frame times: every cut is between keyframes
  await run(ffmpeg, [
    "-hide_banner",
    "-v",
    "error",
    "-y",
    "-f",
    "lavfi",
    "-i",
    "testsrc2=s=320x240:r=30:d=12,select='lt(mod(n\\,10)\\,6)'",
    "-fps_mode",
    "vfr",
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    "-g",
    "100000",
    "-sc_threshold",
    "0",
    join(dir, "media", "sparse-vfr.mp4"),
  ]);
  database = await createTestDatabase("split_stitch");
  const config = loadConfig(
    { port: "0", data: join(dir, "data"), "media-dir": join(dir, "media"), workers: "2" },
    { WEBENCODE_HEARTBEAT_MS: "500", WEBENCODE_SEGMENT_SECONDS: "2:4:6" },
  );
  queue = createMemoryWorkQueue();
  platform = await startInProcessPlatform(config, database.url, { queue });
  ({ db, kernel, workers, headers } = platform);
  await until(
    () => api<{ workers: { status: string }[] }>("GET", "/v1/workers"),
    (r) => r.body.workers.filter((w) => w.status === "online").length === 2,
    "both workers online",
  );
}, 60_000);
afterAll(async () => {
  await platform?.stop();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

const api = kernelApi(
  () => kernel.url,
  () => headers,
);

interface Task {
  kind: string;
  sequence_index: number;
  start_time_sec: number;
  end_time_sec: number;
  status: string;
  attempt: number;
  worker_id: string | null;
  attempts: { attempt: number; worker_id: string | null }[];
}
interface JobDetail {
  status: string;
  progress_pct: number;
  tasks: Task[];
  error: { code: string; message: string } | null;
  stitch: {
    frame_count: number;
    mean_ssim: number | null;
    worst_seam_delta: number | null;
    seams: { index: number; time_sec: number; ssim: number; delta: number }[];
    seams_unmeasured: string | null;
  } | null;
}

const terminal = (status: string) => ["completed", "failed", "cancelled"].includes(status);

describe("split & stitch across two workers", () => {
  it("splits a job into chunks, audio and a stitch, and its output holds exactly the source's frames", async () => {
    const submitted = await api<{ id: string }>("POST", "/v1/jobs", {
      source_url: "fs://twelve.mp4",
      profile: "480p_fast",
    });
    expect(submitted.status).toBe(201);
    const jobId = submitted.body.id;
    const done = await until(
      () => api<JobDetail>("GET", `/v1/jobs/${jobId}`),
      (r) => terminal(r.body.status),
      "the split job done",
      120_000,
    );
    expect(done.body.error).toBeNull();
    expect(done.body.status).toBe("completed");
    const kinds = done.body.tasks.map((t) => t.kind);
    expect(kinds.filter((k) => k === "video").length).toBeGreaterThanOrEqual(2);
    expect(kinds.filter((k) => k === "audio")).toHaveLength(1);
    expect(kinds.at(-1)).toBe("stitch");
    // chunks cover the source in order, without gap or overlap
    const chunks = done.body.tasks.filter((t) => t.kind === "video");
    expect(chunks[0]!.start_time_sec).toBe(0);
    for (let i = 1; i < chunks.length; i++)
      expect(chunks[i]!.start_time_sec).toBe(chunks[i - 1]!.end_time_sec);
    expect(chunks.at(-1)!.end_time_sec).toBeCloseTo(12, 1);
    // smart chunking: a multiple of the two healthy workers, so neither waits on the other at the end
    expect(chunks.length % 2).toBe(0);
    // both workers took chunks; no task ran twice
    expect(new Set(chunks.map((t) => t.worker_id)).size).toBe(2);
    for (const task of done.body.tasks) expect(task.attempts.map((a) => a.attempt)).toEqual([1]);

    const stitch = done.body.stitch!;
    expect(stitch.frame_count).toBe(360);
    expect(stitch.seams).toHaveLength(chunks.length - 1);
    expect(stitch.mean_ssim).toBeGreaterThan(0.9);
    // the goal: no seam more than 0.005 below the job's mean
    expect(stitch.worst_seam_delta).toBeGreaterThan(-0.005);

    const outputs = await api<{ outputs: { download_url: string }[] }>("GET", `/v1/jobs/${jobId}/outputs`);
    const download = await fetch(outputs.body.outputs[0]!.download_url, { headers });
    expect(download.status).toBe(200);
    const local = join(dir, "stitched.mp4");
    await writeFile(local, Buffer.from(await download.arrayBuffer()));
    const { stdout } = await run(ffprobe, [
      "-v",
      "error",
      "-count_packets",
      "-show_entries",
      "stream=codec_type,nb_read_packets:stream_tags=language:format=duration",
      "-of",
      "json",
      local,
    ]);
    const probed = JSON.parse(stdout) as {
      streams: { codec_type: string; nb_read_packets: string; tags?: { language?: string } }[];
      format: { duration: string };
    };
    const video = probed.streams.filter((s) => s.codec_type === "video");
    const audio = probed.streams.filter((s) => s.codec_type === "audio");
    expect(video).toHaveLength(1);
    expect(Number(video[0]!.nb_read_packets)).toBe(360);
    expect(audio.map((s) => s.tags?.language)).toEqual(["eng", "fra"]);
    expect(Math.abs(Number(probed.format.duration) - 12)).toBeLessThan(1 / 30 + 0.05);
    // the stitch's proof is stored in the log, as the stitch task's completion
    const events = await db.store.readStream(jobStream.name(jobId));
    const stitched = events.find(
      (e) => e.type === "TaskCompleted" && (e.data as { stitch?: unknown }).stitch,
    );
    expect(stitched).toBeDefined();
    // each chunk measured its own sides of the seams right after its encode; the stitch only added up
    const edges = new Map(
      events
        .filter((e) => e.type === "TaskCompleted")
        .map((e) => e.data as { taskId: string; edgeSsim?: ChunkEdgeSsimData })
        .map((data) => [data.taskId, data.edgeSsim]),
    );
    const planned = events.find((e) => e.type === "JobPlanned")?.data as {
      tasks: { taskId: string; sequenceIndex: number }[];
    };
    const taskIdOf = (index: number) => planned.tasks.find((t) => t.sequenceIndex === index)?.taskId ?? "";
    const chunkEdges = chunks.map((chunk) => edges.get(taskIdOf(chunk.sequence_index)));
    for (const edge of chunkEdges) expect(edge).toMatchObject({ measureMs: expect.any(Number) });
    expect(chunkEdges.map((edge) => edge?.unmeasured)).toEqual(chunks.map(() => undefined));
    const combined = combineChunkEdges(
      chunkEdges.flatMap((edge) => (edge === undefined ? [] : [edge])),
      stitch.seams.map((seam) => seam.time_sec),
    );
    expect(combined).toMatchObject({ _tag: "SeamReport", meanSsim: stitch.mean_ssim });
    if (combined._tag === "SeamReport")
      expect(combined.seams.map((seam) => seam.ssim)).toEqual(stitch.seams.map((seam) => seam.ssim));
  }, 150_000);

  it("stops every ffmpeg of a cancelled split job on both workers within 2 s", async () => {
    const submitted = await api<{ id: string }>("POST", "/v1/jobs", {
      source_url: "fs://long.mp4",
      profile: "1080p_h264",
    });
    const jobId = submitted.body.id;
    await until(
      async () => workers.map((w) => w.current()?.jobId),
      (held) => held.every((id) => id === jobId),
      "both workers encoding a chunk of the job",
    );
    const cancelled = await api("POST", `/v1/jobs/${jobId}/cancel`, {});
    expect(cancelled.status).toBe(200);
    const at = Date.now();
    await until(
      async () => workers.map((w) => w.current()),
      (held) => held.every((c) => c === null),
      "both workers free",
      5_000,
    );
    expect(Date.now() - at).toBeLessThan(2_000);
    const { stdout } = await run("ps", ["-eo", "args"]);
    expect(stdout.split("\n").filter((line) => line.includes(jobId))).toEqual([]);
  }, 120_000);

  it("encodes each chunk once although every TaskScheduled is delivered twice", async () => {
    const submitted = await api<{ id: string }>("POST", "/v1/jobs", {
      source_url: "fs://twelve.mp4",
      profile: "480p_fast",
    });
    const jobId = submitted.body.id;
    // as a redelivery would: the same task messages again, under other message ids
    const scheduled = await until(
      async () =>
        (await db.store.readStream(jobStream.name(jobId))).filter((e) => e.type === "TaskScheduled"),
      (events) => events.length >= 4,
      "the chunks scheduled",
    );
    for (const event of scheduled) {
      const data = event.data as { taskId: string; attempt: number };
      await queue.publish({
        id: randomUUID(),
        payload: { job_id: jobId, task_id: data.taskId, attempt: data.attempt },
      });
    }
    const done = await until(
      () => api<JobDetail>("GET", `/v1/jobs/${jobId}`),
      (r) => terminal(r.body.status),
      "the job done",
      120_000,
    );
    expect(done.body.status, JSON.stringify({ error: done.body.error, tasks: done.body.tasks })).toBe(
      "completed",
    );
    expect(done.body.stitch?.frame_count).toBe(360);
    const events = await db.store.readStream(jobStream.name(jobId));
    const completed = events
      .filter((e) => e.type === "TaskCompleted")
      .map((e) => (e.data as { taskId: string }).taskId);
    expect(completed.sort()).toEqual(done.body.tasks.map((t) => (t as unknown as { id: string }).id).sort());
    expect(events.filter((e) => e.type === "TaskStarted")).toHaveLength(done.body.tasks.length);
    // a duplicate of a running attempt is dropped, never taken for its lost lease
    expect(events.filter((e) => e.type === "TaskFailed")).toEqual([]);
    await until(
      () => queue.depth(),
      (depth) => depth === 0,
      "the duplicates acknowledged",
      10_000,
    );
  }, 150_000);

  it("fails a truncated source with a clear code before any chunk is encoded, and nothing stays running", async () => {
    const submitted = await api<{ id: string }>("POST", "/v1/jobs", {
      source_url: "fs://truncated.mp4",
      profile: "480p_fast",
    });
    const jobId = submitted.body.id;
    const done = await until(
      () => api<JobDetail>("GET", `/v1/jobs/${jobId}`),
      (r) => terminal(r.body.status),
      "the poisoned job done",
      120_000,
    );
    expect(done.body.status).toBe("failed");
    expect(done.body.error?.code).toBe("WE-JOB-007");
    expect(done.body.error?.message).toMatch(
      /truncated: its index lists 360 video frames, its file holds \d+/,
    );
    for (const task of done.body.tasks) expect(task.attempts.length).toBeLessThanOrEqual(3);
    await until(
      async () => workers.map((w) => w.current()),
      (held) => held.every((c) => c === null),
      "workers free",
      5_000,
    );
    expect(await queue.depth()).toBe(0);
  }, 150_000);

  it("splits a VFR source with a single keyframe frame-exactly onto the output's constant grid", async () => {
    const submitted = await api<{ id: string }>("POST", "/v1/jobs", {
      source_url: "fs://sparse-vfr.mp4",
      profile: "480p_fast",
    });
    const done = await until(
      () => api<JobDetail>("GET", `/v1/jobs/${submitted.body.id}`),
      (r) => terminal(r.body.status),
      "the sparse job done",
      120_000,
    );
    expect(done.body.error).toBeNull();
    expect(done.body.tasks.filter((t) => t.kind === "video").length).toBeGreaterThanOrEqual(2);
    // VFR is laid on the constant grid at the nominal 30 fps up to where the last frame ends: the
    // select keeps frames 350–355 of the last ten, so the source ends at 356 / 30 s
    expect(done.body.stitch?.frame_count).toBe(356);
    expect(done.body.stitch?.worst_seam_delta).toBeGreaterThan(-0.005);
  }, 150_000);
});
