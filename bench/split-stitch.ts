// What split & stitch buys: the same clip and profile through `webencode up` with one worker of one
// encoder thread (the job runs as one task), with two such workers (split into chunks, audio and a
// stitch), and bare ffmpeg using every thread on the same command, all in one run. Prints the speed-up,
// two single-thread workers against bare ffmpeg, the stitch's share of the split job, the seam
// measurement's share of the workers' time (each chunk measures its own seam sides), the workers'
// utilisation, whether the frames match the source and the worst seam's SSIM below the mean, and
// each task's timeline, whose gaps show the critical path.
// Usage: npm run bench -- split-stitch [seconds=120]
import { spawn } from "node:child_process";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os, { tmpdir } from "node:os";
import { join } from "node:path";
import type { RecordedEvent } from "../domain/ports/eventStore.ts";
import { openDatabase } from "../infra/platform/openDatabase.ts";
import { loadConfig } from "../infra/platform/platformConfig.ts";
import { startKernel } from "../infra/platform/startKernel.ts";
import { startWorkers } from "../infra/platform/startWorkers.ts";
import { createMemoryProgressBus } from "../infra/progress/memoryProgressBus.ts";
import { createMemoryWorkQueue } from "../infra/queue/memory/memoryWorkQueue.ts";
import { buildFfmpegArgs } from "../plugins/encoder-ffmpeg/buildFfmpegArgs.ts";
import { builtInProfiles } from "../plugins/encoder-ffmpeg/builtInProfiles.ts";
import { createFfmpegEncoder } from "../plugins/encoder-ffmpeg/createFfmpegEncoder.ts";
import { jobStream } from "../schemas/events/streamNames.ts";
import { makeClip } from "../test/support/mediaClip.ts";
import { round } from "./benchDatabase.ts";

const PROFILE = "720p_h264";

async function timed(file: string, args: string[]): Promise<number> {
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(file, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`${file} exited ${code}: ${stderr}`)),
    );
  });
  return performance.now() - started;
}

interface JobRun {
  wallMs: number;
  events: RecordedEvent[];
  detail: {
    tasks: { kind: string; worker_id: string | null }[];
    stitch: { frame_count: number; worst_seam_delta: number | null } | null;
  };
}

/** One job through a fresh embedded platform with `workers` workers of one encoder thread each. */
async function runJob(dir: string, media: string, workers: number): Promise<JobRun> {
  const dataDir = join(dir, `data-${workers}`);
  await mkdir(dataDir, { recursive: true });
  await writeFile(join(dataDir, "plugins.toml"), "[encoder-ffmpeg.config]\nthreads = 1\n");
  const config = loadConfig({ port: "0", data: dataDir, "media-dir": media, workers: String(workers) }, {});
  const db = await openDatabase({ dataDir: config.dataDir });
  const queue = createMemoryWorkQueue();
  const bus = createMemoryProgressBus();
  const kernel = await startKernel(config, db, queue, bus, () => {});
  const started = await startWorkers(config, db.store, queue, bus, () => {});
  try {
    const issued = await kernel.tokens.issue(
      { name: "bench", role: "admin" },
      { userId: "system", role: "system" },
    );
    if (issued._tag !== "Issued") throw new Error(issued._tag);
    const headers = { authorization: `Bearer ${issued.token}`, "content-type": "application/json" };
    // smart chunking counts healthy workers from the read model: wait until all are listed
    for (;;) {
      const listed = (await (await fetch(`${kernel.url}/v1/workers`, { headers })).json()) as {
        workers: { status: string }[];
      };
      if (listed.workers.filter((w) => w.status === "online").length >= workers) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const completed = db.store.subscribeToAll({
      from: "end",
      filter: { eventTypes: ["JobCompleted", "JobFailed"] },
    });
    const t0 = performance.now();
    const response = await fetch(`${kernel.url}/v1/jobs`, {
      method: "POST",
      headers,
      body: JSON.stringify({ source_url: "fs://clip.mp4", profile: PROFILE }),
    });
    const jobId = ((await response.json()) as { id: string }).id;
    for await (const message of completed) {
      if (message.type !== "event" || message.event.streamId !== jobStream.name(jobId)) continue;
      if (message.event.type === "JobFailed")
        throw new Error(`job failed: ${JSON.stringify(message.event.data)}`);
      break;
    }
    const wallMs = performance.now() - t0;
    await completed.close();
    const position = await db.store.headPosition();
    const detail = (await (
      await fetch(`${kernel.url}/v1/jobs/${jobId}?min_position=${position}`, { headers })
    ).json()) as JobRun["detail"];
    return { wallMs, events: await db.store.readStream(jobStream.name(jobId)), detail };
  } finally {
    await Promise.all(started.map((w) => w.stop()));
    await kernel.stop();
    await queue.close();
    await bus.close();
    await db.close();
  }
}

const at = (event: RecordedEvent) => Date.parse(event.metadata.occurredAt as string);

/** Busy time per task (started → completed, from the events) and the span from the first start to the last end. */
function taskTimes(events: readonly RecordedEvent[]) {
  const starts = new Map<string, number>();
  const busy = new Map<string, number>();
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  for (const event of events) {
    const taskId = (event.data as { taskId?: string }).taskId;
    if (taskId === undefined) continue;
    if (event.type === "TaskStarted") {
      starts.set(taskId, at(event));
      first = Math.min(first, at(event));
    }
    if (event.type === "TaskCompleted") {
      busy.set(taskId, at(event) - (starts.get(taskId) ?? at(event)));
      last = Math.max(last, at(event));
    }
  }
  return { busy, spanMs: last - first };
}

/**
 * Each task's line on the job's clock (seconds from JobSubmitted): when it was scheduled, started and
 * completed, and on which worker; the gaps between one task's end and the next start on a worker are
 * the queue's pick-up latency, the rest of the critical path is the tasks themselves.
 */
function timeline(events: readonly RecordedEvent[]): string[] {
  const submitted = events.find((e) => e.type === "JobSubmitted");
  const t0 = submitted === undefined ? 0 : at(submitted);
  const planned = events.find((e) => e.type === "JobPlanned")?.data as
    | { tasks: { taskId: string; kind?: string; startTimeSec: number; endTimeSec: number }[] }
    | undefined;
  const rows = new Map<
    string,
    { scheduled?: number; started?: number; completed?: number; worker?: string; measureSec?: number }
  >();
  for (const event of events) {
    const data = event.data as { taskId?: string; workerId?: string };
    if (data.taskId === undefined) continue;
    const row = rows.get(data.taskId) ?? {};
    const t = (at(event) - t0) / 1000;
    if (event.type === "TaskScheduled") row.scheduled = t;
    if (event.type === "TaskStarted") {
      row.started = t;
      if (data.workerId !== undefined) row.worker = data.workerId;
    }
    if (event.type === "TaskCompleted") {
      row.completed = t;
      const measureMs = (event.data as { edgeSsim?: { measureMs: number } }).edgeSsim?.measureMs;
      if (measureMs !== undefined) row.measureSec = measureMs / 1000;
    }
    rows.set(data.taskId, row);
  }
  const s = (value: number | undefined) => (value === undefined ? "    -" : value.toFixed(2).padStart(6));
  const lines = [
    `  planned at ${s(planned === undefined ? undefined : (at(events.find((e) => e.type === "JobPlanned")!) - t0) / 1000)} s; task       range (s)       scheduled started completed worker`,
  ];
  for (const task of planned?.tasks ?? []) {
    const row = rows.get(task.taskId) ?? {};
    const range = `${task.startTimeSec.toFixed(2)}–${task.endTimeSec.toFixed(2)}`.padEnd(15);
    lines.push(
      `    ${(task.kind ?? "video").padEnd(7)} ${range} ${s(row.scheduled)}  ${s(row.started)}  ${s(row.completed)}  ${row.worker ?? "-"}${row.measureSec === undefined ? "" : `  (its seam sides: ${row.measureSec.toFixed(2)} s)`}`,
    );
  }
  const done = events.find((e) => e.type === "JobCompleted");
  if (done !== undefined) lines.push(`  job completed at ${s((at(done) - t0) / 1000)} s`);
  return lines;
}

export async function run(args: string[]): Promise<number> {
  const seconds = Number(args[0] ?? 120);
  const dir = await mkdtemp(join(tmpdir(), "webencode-bench-split-"));
  await chmod(dir, 0o755);
  const media = join(dir, "media");
  await mkdir(media);
  const clip = join(media, "clip.mp4");
  await makeClip(clip, { seconds, width: 1280, height: 720 });
  try {
    // the whole-source command a worker runs, with every thread: the bare baseline
    const encoder = createFfmpegEncoder({ stateDir: join(dir, "state") });
    const source = await encoder.probe(clip);
    if (source._tag !== "SourceInfo") throw new Error(source.message);
    const frames = await encoder.split!.probeFrames(clip, source.video.index);
    if (frames._tag !== "SourceFrames") throw new Error(frames.message);
    const plan = await encoder.plan(builtInProfiles[PROFILE], source);
    const bareMs = await timed(
      process.env.FFMPEG_PATH ?? "ffmpeg",
      buildFfmpegArgs(plan, join(dir, "bare.mp4")),
    );
    console.error(`bare ffmpeg, all threads: ${(bareMs / 1000).toFixed(1)} s`);

    const one = await runJob(dir, media, 1);
    console.error(
      `one worker, one thread: ${(one.wallMs / 1000).toFixed(1)} s (${one.detail.tasks.length} task)`,
    );
    const two = await runJob(dir, media, 2);
    console.error(
      `two workers, one thread each: ${(two.wallMs / 1000).toFixed(1)} s (${two.detail.tasks.length} tasks)`,
    );

    const planned = two.events.find((e) => e.type === "JobPlanned")?.data as
      | { tasks: { taskId: string; kind?: string }[] }
      | undefined;
    const stitchId = planned?.tasks.find((t) => t.kind === "stitch")?.taskId;
    const { busy, spanMs } = taskTimes(two.events);
    const stitchTaskMs = stitchId === undefined ? Number.NaN : (busy.get(stitchId) ?? Number.NaN);
    const timings = (
      two.events.find(
        (e) => e.type === "TaskCompleted" && (e.data as { taskId?: string }).taskId === stitchId,
      )?.data as { stitch?: { timings?: { fetchMs: number; stitchMs: number; seamsMs: number } } } | undefined
    )?.stitch?.timings;
    // the stitch proper: fetching the chunks, the concat and its proof; the seams are measured apart,
    // by each chunk on its own worker right after its encode (the stitch only combines their figures)
    const stitchMs = timings === undefined ? stitchTaskMs : timings.fetchMs + timings.stitchMs;
    const chunkMeasureMs = two.events
      .filter((e) => e.type === "TaskCompleted")
      .map((e) => (e.data as { edgeSsim?: { measureMs: number } }).edgeSsim?.measureMs ?? 0);
    const seamsMs = chunkMeasureMs.reduce((sum, ms) => sum + ms, 0) + (timings?.seamsMs ?? Number.NaN);
    const workMs = [...busy.values()].reduce((sum, ms) => sum + ms, 0);
    const figures = {
      speedup: round(one.wallMs / two.wallMs, 3),
      vs_bare_all_threads: round(bareMs / two.wallMs, 3),
      stitch_pct: round((100 * stitchMs) / two.wallMs, 2),
      // share of the two workers' time: the chunks measure side by side
      seam_measure_pct: round((100 * seamsMs) / (2 * two.wallMs), 2),
      utilisation: round(workMs / (2 * spanMs), 3),
      frames_match: two.detail.stitch?.frame_count === frames.frameCount,
      worst_seam_ssim_delta: two.detail.stitch?.worst_seam_delta ?? null,
      chunks: two.detail.tasks.filter((t) => t.kind === "video").length,
      one_worker_s: round(one.wallMs / 1000, 1),
      two_workers_s: round(two.wallMs / 1000, 1),
      bare_ffmpeg_s: round(bareMs / 1000, 1),
      stitch_s: round(stitchMs / 1000, 2),
      seam_measure_s: round(seamsMs / 1000, 2),
      clip_seconds: seconds,
    };
    for (const line of timeline(two.events)) console.log(line);
    console.log(`split & stitch on a ${seconds} s 1280x720 clip (${PROFILE}), ${os.cpus().length} cores:`);
    console.log(`  one worker, one encoder thread (one task)     ${figures.one_worker_s} s`);
    console.log(
      `  two workers, one thread each (${figures.chunks} chunks)      ${figures.two_workers_s} s  (${figures.speedup}×)`,
    );
    console.log(
      `  bare ffmpeg, every thread, same command       ${figures.bare_ffmpeg_s} s  (two workers: ${figures.vs_bare_all_threads}× its speed)`,
    );
    console.log(
      `  stitch (fetch, concat, verify)                ${figures.stitch_s} s  (${figures.stitch_pct} % of the split job)`,
    );
    console.log(
      `  seam SSIM measurement, all chunks together    ${figures.seam_measure_s} s  (${figures.seam_measure_pct} % of the two workers' time)`,
    );
    console.log(
      `  utilisation ${figures.utilisation}, frames match ${figures.frames_match}, worst seam ${figures.worst_seam_ssim_delta}`,
    );
    console.log(JSON.stringify(figures));
    return 0;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
