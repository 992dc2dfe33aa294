// The control plane beyond one machine, by simulation: many stand-in workers (an encoder that takes its
// chunk's duration divided by a speed, bench/support/simulatedEncoder.ts) behind the real kernel, event
// store (embedded PostgreSQL), planner, decider, dispatcher and queue, running many split jobs at once.
// Prints the makespan against the ideal (all work ÷ workers) and this process's CPU per task, which
// includes the stand-in workers' own share (an upper bound on the kernel's).
// Usage: npm run bench -- scheduler [workers=64] [jobs=200] [chunks=20] [chunkSeconds=2]
import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import os, { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../infra/platform/openDatabase.ts";
import { loadConfig } from "../infra/platform/platformConfig.ts";
import { startKernel } from "../infra/platform/startKernel.ts";
import { startWorkers } from "../infra/platform/startWorkers.ts";
import { createMemoryProgressBus } from "../infra/progress/memoryProgressBus.ts";
import { createMemoryWorkQueue } from "../infra/queue/memory/memoryWorkQueue.ts";
import { jobStream } from "../schemas/events/streamNames.ts";
import { makeClip } from "../test/support/mediaClip.ts";
import { round } from "./benchDatabase.ts";
import { createSimulatedEncoder } from "./support/simulatedEncoder.ts";

/** Each chunk holds this much source; the stand-in encodes it in `chunkSeconds` of wall time. */
const CHUNK_SOURCE_SEC = 10;

export async function run(args: string[]): Promise<number> {
  const workerCount = Number(args[0] ?? 64);
  const jobCount = Number(args[1] ?? 200);
  const chunks = Number(args[2] ?? 20);
  const chunkSeconds = Number(args[3] ?? 2);
  const durationSec = chunks * CHUNK_SOURCE_SEC;
  const speed = CHUNK_SOURCE_SEC / chunkSeconds;
  const dir = await mkdtemp(join(tmpdir(), "webencode-bench-scheduler-"));
  await chmod(dir, 0o755);
  const media = join(dir, "media");
  await mkdir(media);
  await makeClip(join(media, "clip.mp4"), { seconds: 1, width: 320, height: 240 });
  const config = loadConfig(
    { port: "0", data: join(dir, "data"), "media-dir": media, workers: String(workerCount) },
    // bounds around the chunk length: a 200 s source is cut into 20 chunks of 10 s on keyframes 2 s apart
    { WEBENCODE_SEGMENT_SECONDS: `${CHUNK_SOURCE_SEC / 2}:${CHUNK_SOURCE_SEC}:${CHUNK_SOURCE_SEC * 2}` },
  );
  const encoder = createSimulatedEncoder({ durationSec, speed });
  const db = await openDatabase({ dataDir: config.dataDir });
  const queue = createMemoryWorkQueue();
  const bus = createMemoryProgressBus();
  const kernel = await startKernel(config, db, queue, bus, () => {}, {}, { encoder });
  const workers = await startWorkers(config, db.store, queue, bus, () => {}, { encoder });
  try {
    const issued = await kernel.tokens.issue(
      { name: "bench", role: "admin" },
      { userId: "system", role: "system" },
    );
    if (issued._tag !== "Issued") throw new Error(issued._tag);
    const headers = { authorization: `Bearer ${issued.token}`, "content-type": "application/json" };
    for (;;) {
      const listed = (await (await fetch(`${kernel.url}/v1/workers?limit=500`, { headers })).json()) as {
        workers: { status: string }[];
      };
      if (listed.workers.filter((w) => w.status === "online").length >= workerCount) break;
      await new Promise((r) => setTimeout(r, 200));
    }

    const ended = db.store.subscribeToAll({
      from: "end",
      filter: { eventTypes: ["JobCompleted", "JobFailed"] },
    });
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const ids = new Set<string>();
    for (let at = 0; at < jobCount; at += 20) {
      const batch = Array.from({ length: Math.min(20, jobCount - at) }, () =>
        fetch(`${kernel.url}/v1/jobs`, {
          method: "POST",
          headers,
          body: JSON.stringify({ source_url: "fs://clip.mp4", profile: "720p_h264" }),
        }).then(async (r) => ((await r.json()) as { id: string }).id),
      );
      for (const id of await Promise.all(batch)) ids.add(id);
    }
    let done = 0;
    let failed = 0;
    for await (const message of ended) {
      if (message.type !== "event" || !ids.has(jobStream.idOf(message.event.streamId))) continue;
      done += 1;
      if (message.event.type === "JobFailed") failed += 1;
      if (done % 20 === 0)
        console.error(
          `${done}/${jobCount} jobs done after ${((performance.now() - t0) / 1000).toFixed(1)} s`,
        );
      if (done === jobCount) break;
    }
    const makespanMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    await ended.close();

    // what the stand-ins really worked, from the plans: every chunk, each job's audio (a twentieth)
    const tasksPerJob = chunks + 2;
    const workMs = jobCount * (chunks * chunkSeconds + durationSec / speed / 20) * 1000;
    const idealMs = workMs / workerCount;
    const tasks = jobCount * tasksPerJob;
    const figures = {
      workers: workerCount,
      tasks,
      efficiency: round(idealMs / makespanMs, 3),
      kernel_cpu_ms_per_task: round((cpu.user + cpu.system) / 1000 / tasks, 2),
      jobs: jobCount,
      failed_jobs: failed,
      makespan_s: round(makespanMs / 1000, 1),
      ideal_s: round(idealMs / 1000, 1),
    };
    console.log(
      `${jobCount} jobs of ${chunks} chunks (+ audio + stitch) on ${workerCount} simulated workers, ${os.cpus().length} cores:`,
    );
    console.log(
      `  makespan ${figures.makespan_s} s against the ideal ${figures.ideal_s} s: efficiency ${figures.efficiency}`,
    );
    console.log(
      `  process CPU per task ${figures.kernel_cpu_ms_per_task} ms (kernel and the in-process stand-ins)`,
    );
    console.log(JSON.stringify(figures));
    return failed === 0 ? 0 : 1;
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await kernel.stop();
    await queue.close();
    await bus.close();
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}
