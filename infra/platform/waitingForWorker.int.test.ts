// A job submitted while no worker is online waits, says so, and runs once a worker starts.
import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-waiting-"));
  await chmod(dir, 0o755);
  await mkdir(join(dir, "media"));
  await makeClip(join(dir, "media", "short.mp4"), { seconds: 2, width: 320, height: 240 });
  database = await createTestDatabase("waiting");
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await kernel?.stop();
  await db?.close();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe("no worker online", () => {
  it("a job waits queued, shows waiting_for_worker, and completes once a worker starts", async () => {
    const config = loadConfig({ port: "0", data: join(dir, "data"), "media-dir": join(dir, "media") }, {});
    db = await openDatabase({ dataDir: config.dataDir, databaseUrl: database.url });
    const queue = createMemoryWorkQueue();
    const bus = createMemoryProgressBus();
    kernel = await startKernel(config, db, queue, bus, () => {});
    const issued = await kernel.tokens.issue(
      { name: "op", role: "operator" },
      { userId: "system", role: "system" },
    );
    if (issued._tag !== "Issued") throw new Error(issued._tag);
    const headers = { authorization: `Bearer ${issued.token}`, "content-type": "application/json" };
    const job = async (id: string) =>
      (await (await fetch(`${kernel.url}/v1/jobs/${id}`, { headers })).json()) as {
        status: string;
        tasks_total: number;
        waiting_for_worker: boolean;
      };
    const until = async (id: string, done: (j: Awaited<ReturnType<typeof job>>) => boolean) => {
      for (let i = 0; i < 300; i++) {
        const j = await job(id);
        if (done(j)) return j;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`job ${id} never got there: ${JSON.stringify(await job(id))}`);
    };

    const response = await fetch(`${kernel.url}/v1/jobs`, {
      method: "POST",
      headers,
      body: JSON.stringify({ source_url: "fs://short.mp4", profile: "480p_fast" }),
    });
    const { id } = (await response.json()) as { id: string };
    const waiting = await until(id, (j) => j.tasks_total === 1);
    expect(waiting).toMatchObject({ status: "queued", waiting_for_worker: true });
    expect(await queue.depth()).toBe(1);

    workers = await startWorkers(config, db.store, queue, bus, () => {});
    const done = await until(id, (j) => j.status === "completed" || j.status === "failed");
    expect(done).toMatchObject({ status: "completed", waiting_for_worker: false });
  });
});
