// The worker pool through a real kernel and a real encode worker: a worker registers with its machine,
// sends heartbeats, takes no new work while drained and takes it again once undrained; a worker that
// stops sending heartbeats is marked lost and the task it held is freed at once.
import { randomUUID } from "node:crypto";
import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { currentSchemaVersion } from "../../schemas/events/currentSchemaVersion.ts";
import { workerStream } from "../../schemas/events/streamNames.ts";
import { kernelApi, until } from "../../test/support/kernelApi.ts";
import { makeClip } from "../../test/support/mediaClip.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/testDatabase.ts";
import type { EncodeWorker } from "../../workers/encode/encodeWorker.ts";
import { createMemoryProgressBus } from "../progress/memoryProgressBus.ts";
import { createMemoryWorkQueue } from "../queue/memory/memoryWorkQueue.ts";
import { openDatabase, type PlatformDatabase } from "./openDatabase.ts";
import { loadConfig } from "./platformConfig.ts";
import { type Kernel, startKernel } from "./startKernel.ts";
import { startWorkers } from "./startWorkers.ts";

let database: TestDatabase;
let db: PlatformDatabase;
let kernel: Kernel;
let workers: EncodeWorker[] = [];
let dir: string;
let headers: Record<string, string>;

const HEARTBEAT_MS = 200;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-pool-"));
  await chmod(dir, 0o755);
  await mkdir(join(dir, "media"));
  await makeClip(join(dir, "media", "short.mp4"), { seconds: 2, width: 320, height: 240 });
  database = await createTestDatabase("worker_pool");
  const config = loadConfig(
    { port: "0", data: join(dir, "data"), "media-dir": join(dir, "media") },
    { WEBENCODE_HEARTBEAT_MS: String(HEARTBEAT_MS) },
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
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await kernel?.stop();
  await db?.close();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

/** This file's waits allow 30 s, as they always did. */
const untilSoon = <T>(read: () => Promise<T>, done: (value: T) => boolean, what: string) =>
  until(read, done, what, 30_000);

const api = kernelApi(
  () => kernel.url,
  () => headers,
);

type Worker = {
  status: string;
  draining: boolean;
  heartbeat_age_seconds: number;
  capabilities: Record<string, unknown>;
};
type Job = { status: string };

describe("the worker pool", () => {
  it("registers a worker with its machine and keeps it online by its heartbeats", async () => {
    const workerId = workers[0]!.workerId;
    const shown = await untilSoon(
      () => api<Worker>("GET", `/v1/workers/${workerId}`),
      (r) => r.status === 200,
      "the worker listed",
    );
    expect(shown.body.capabilities).toMatchObject({
      cpu_cores: availableParallelism(),
      memory_bytes: expect.any(Number),
      gpus: expect.any(Array),
      max_parallel_tasks: 2,
      version: expect.any(String),
    });
    // many heartbeat intervals later, still online and heard from a moment ago
    await new Promise((resolve) => setTimeout(resolve, HEARTBEAT_MS * 8));
    const later = await api<Worker>("GET", `/v1/workers/${workerId}`);
    expect(later.body).toMatchObject({ status: "online", draining: false });
    expect(later.body.heartbeat_age_seconds).toBeLessThanOrEqual(1);
  });

  it("takes no new job while drained, and runs it once undrained", async () => {
    const workerId = workers[0]!.workerId;
    expect((await api("POST", `/v1/workers/${workerId}/drain`)).status).toBe(200);
    await untilSoon(
      () => api<Worker>("GET", `/v1/workers/${workerId}`),
      (r) => r.body.draining,
      "draining shown",
    );
    const submitted = await api<{ id: string }>("POST", "/v1/jobs", {
      source_url: "fs://short.mp4",
      profile: "480p_fast",
    });
    expect(submitted.status).toBe(201);
    const jobId = submitted.body.id;
    // planned and waiting on the queue, but never started by the drained worker
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect((await api<Job>("GET", `/v1/jobs/${jobId}`)).body.status).toBe("queued");
    expect(workers[0]!.current()).toBeNull();

    expect((await api("POST", `/v1/workers/${workerId}/undrain`)).status).toBe(200);
    const done = await untilSoon(
      () => api<Job>("GET", `/v1/jobs/${jobId}`),
      (r) => r.body.status === "completed" || r.body.status === "failed",
      "the job done",
    );
    expect(done.body.status).toBe("completed");
    // its next heartbeats say it holds nothing: the finished task is not shown as its current one,
    // though its last progress tick is recent
    await new Promise((resolve) => setTimeout(resolve, HEARTBEAT_MS * 5));
    const idle = await api<Worker & { current_task: unknown }>("GET", `/v1/workers/${workerId}`);
    expect(idle.body.current_task).toBeNull();
  }, 60_000);

  it("marks a worker that sends no heartbeat lost, and its state stays in the log", async () => {
    const silent = `silent-${randomUUID().slice(0, 8)}`;
    await db.store.append(
      workerStream.name(silent),
      [
        {
          id: randomUUID(),
          type: "WorkerStarted",
          data: {
            workerId: silent,
            hostname: "gone",
            pid: 1,
            capabilities: { encoders: [], hwaccels: [], audioCodecs: [], containers: [] },
          },
          metadata: {
            correlationId: randomUUID(),
            causationId: randomUUID(),
            actor: { userId: `worker:${silent}`, role: "system" },
            occurredAt: new Date().toISOString(),
            schemaVersion: currentSchemaVersion("WorkerStarted"),
          },
        },
      ],
      { expected: "no_stream" },
    );
    const lost = await untilSoon(
      () => api<Worker & { lost_at: string | null }>("GET", `/v1/workers/${silent}`),
      (r) => r.status === 200 && r.body.status === "lost",
      "the silent worker lost",
    );
    expect(lost.body.lost_at).not.toBeNull();
    const events = (await db.store.readStream(workerStream.name(silent))).map((e) => e.type);
    expect(events).toEqual(["WorkerStarted", "WorkerLost"]);
    // the real worker, which keeps sending heartbeats, is still online
    expect((await api<Worker>("GET", `/v1/workers/${workers[0]!.workerId}`)).body.status).toBe("online");
  });
});
