// The cost of the platform around ffmpeg: wall time of a whole job through `webencode up` (API,
// event store, planner, dispatcher, worker, verification, publishing) divided by bare ffmpeg running
// the very same command on the same clip, medians of several runs in one process. Also the time
// from POST /v1/jobs to the first progress tick. Usage: npm run bench -- overhead [runs] [seconds]
import { spawn } from "node:child_process";
import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import os, { tmpdir } from "node:os";
import { join } from "node:path";
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

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const PROFILE = "720p_h264";

async function bareFfmpeg(args: string[]): Promise<number> {
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.env.FFMPEG_PATH ?? "ffmpeg", args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`ffmpeg exited ${code}: ${stderr}`)),
    );
  });
  return performance.now() - started;
}

export async function run(args: string[]): Promise<number> {
  const runs = Number(args[0] ?? 3);
  const seconds = Number(args[1] ?? 60);
  const dir = await mkdtemp(join(tmpdir(), "webencode-bench-overhead-"));
  await chmod(dir, 0o755);
  const media = join(dir, "media");
  await mkdir(media);
  const clip = join(media, "clip.mp4");
  await makeClip(clip, { seconds, width: 1280, height: 720 });

  const config = loadConfig({ port: "0", data: join(dir, "data"), "media-dir": media }, {});
  const db = await openDatabase({ dataDir: config.dataDir });
  const queue = createMemoryWorkQueue();
  const bus = createMemoryProgressBus();
  const kernel = await startKernel(config, db, queue, bus, () => {});
  const workers = await startWorkers(config, db.store, queue, bus, () => {});
  try {
    const issued = await kernel.tokens.issue(
      { name: "bench", role: "operator" },
      { userId: "system", role: "system" },
    );
    if (issued._tag !== "Issued") throw new Error(issued._tag);
    const headers = { authorization: `Bearer ${issued.token}`, "content-type": "application/json" };

    // the exact command the worker runs, for the bare baseline
    const encoder = createFfmpegEncoder({ stateDir: config.stateDir });
    const source = await encoder.probe(clip);
    if (source._tag !== "SourceInfo") throw new Error(source.message);
    const plan = await encoder.plan(builtInProfiles[PROFILE], source);
    const bareArgs = buildFfmpegArgs(plan, join(dir, "bare.mp4"));

    const bare: number[] = [];
    const pipeline: number[] = [];
    const firstTicks: number[] = [];
    for (let i = 0; i < runs; i++) {
      bare.push(await bareFfmpeg(bareArgs));

      const started = performance.now();
      let firstTick = 0;
      let jobId = "";
      const unsubscribe = bus.subscribe((tick) => {
        if (tick.jobId === jobId && firstTick === 0) firstTick = performance.now() - started;
      });
      const completed = db.store.subscribeToAll({
        from: "end",
        filter: { eventTypes: ["JobCompleted", "JobFailed"] },
      });
      const response = await fetch(`${kernel.url}/v1/jobs`, {
        method: "POST",
        headers,
        body: JSON.stringify({ source_url: "fs://clip.mp4", profile: PROFILE }),
      });
      jobId = ((await response.json()) as { id: string }).id;
      for await (const message of completed) {
        if (message.type !== "event" || message.event.streamId !== jobStream.name(jobId)) continue;
        if (message.event.type === "JobFailed")
          throw new Error(`job failed: ${JSON.stringify(message.event.data)}`);
        break;
      }
      pipeline.push(performance.now() - started);
      firstTicks.push(firstTick);
      unsubscribe();
      await completed.close();
      console.error(
        `run ${i + 1}/${runs}: bare ffmpeg ${(bare.at(-1)! / 1000).toFixed(2)} s, whole job ${(pipeline.at(-1)! / 1000).toFixed(2)} s, first tick ${Math.round(firstTick)} ms`,
      );
    }
    const figures = {
      overhead_ratio: round(median(pipeline) / median(bare), 3),
      first_tick_ms: round(median(firstTicks)),
      bare_ffmpeg_s: round(median(bare) / 1000, 2),
      whole_job_s: round(median(pipeline) / 1000, 2),
      runs,
      clip_seconds: seconds,
    };
    console.log(
      `overhead on a ${seconds} s 1280x720 clip (${PROFILE}), ${os.cpus().length} cores, medians of ${runs} runs:`,
    );
    console.log(`  bare ffmpeg, same command      ${figures.bare_ffmpeg_s} s`);
    console.log(
      `  whole job through webencode up ${figures.whole_job_s} s  (${figures.overhead_ratio}× bare ffmpeg)`,
    );
    console.log(`  POST to first progress tick    ${figures.first_tick_ms} ms`);
    console.log(JSON.stringify(figures));
    return 0;
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await kernel.stop();
    await queue.close();
    await bus.close();
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}
