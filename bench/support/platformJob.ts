// Benchmarks only: one job through a fresh embedded platform (kernel and workers in this process, the
// in-process queue), timed from submission to its end as the event log tells it.
import { spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { RecordedEvent } from "../../domain/ports/eventStore.ts";
import { openDatabase } from "../../infra/platform/openDatabase.ts";
import { loadConfig } from "../../infra/platform/platformConfig.ts";
import { startKernel } from "../../infra/platform/startKernel.ts";
import { startWorkers } from "../../infra/platform/startWorkers.ts";
import { createMemoryProgressBus } from "../../infra/progress/memoryProgressBus.ts";
import { createMemoryWorkQueue } from "../../infra/queue/memory/memoryWorkQueue.ts";
import { jobStream } from "../../schemas/events/streamNames.ts";

export interface PlatformJobRun<Detail> {
  wallMs: number;
  events: RecordedEvent[];
  detail: Detail;
  outputs: { name: string; type: string; download_url: string }[];
}

export interface PlatformJobOptions {
  /** A folder of its own for this run's data. */
  dataDir: string;
  mediaDir: string;
  workers: number;
  /** ffmpeg threads per worker (decoder, filters, encoder); ffmpeg's own choice when absent. */
  threads?: number;
  profile: string;
  sourceUrl: string;
}

export async function runPlatformJob<Detail>(options: PlatformJobOptions): Promise<PlatformJobRun<Detail>> {
  await mkdir(options.dataDir, { recursive: true });
  if (options.threads !== undefined)
    await writeFile(
      join(options.dataDir, "plugins.toml"),
      `[encoder-ffmpeg.config]\nthreads = ${options.threads}\n`,
    );
  const config = loadConfig(
    { port: "0", data: options.dataDir, "media-dir": options.mediaDir, workers: String(options.workers) },
    {},
  );
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
      if (listed.workers.filter((w) => w.status === "online").length >= options.workers) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const ended = db.store.subscribeToAll({
      from: "end",
      filter: { eventTypes: ["JobCompleted", "JobFailed"] },
    });
    const t0 = performance.now();
    const response = await fetch(`${kernel.url}/v1/jobs`, {
      method: "POST",
      headers,
      body: JSON.stringify({ source_url: options.sourceUrl, profile: options.profile }),
    });
    if (response.status !== 201) throw new Error(`submit: ${response.status} ${await response.text()}`);
    const jobId = ((await response.json()) as { id: string }).id;
    for await (const message of ended) {
      if (message.type !== "event" || message.event.streamId !== jobStream.name(jobId)) continue;
      if (message.event.type === "JobFailed")
        throw new Error(`job failed: ${JSON.stringify(message.event.data)}`);
      break;
    }
    const wallMs = performance.now() - t0;
    await ended.close();
    const position = await db.store.headPosition();
    const get = async <T>(path: string) =>
      (await (await fetch(`${kernel.url}${path}?min_position=${position}`, { headers })).json()) as T;
    const detail = await get<Detail>(`/v1/jobs/${jobId}`);
    const { outputs } = await get<{ outputs: PlatformJobRun<Detail>["outputs"] }>(
      `/v1/jobs/${jobId}/outputs`,
    );
    return { wallMs, events: await db.store.readStream(jobStream.name(jobId)), detail, outputs };
  } finally {
    await Promise.all(started.map((w) => w.stop()));
    await kernel.stop();
    await queue.close();
    await bus.close();
    await db.close();
  }
}

/** Wall time of one command run to its end; a non-zero exit throws with its stderr. */
export async function timed(file: string, args: string[]): Promise<number> {
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
