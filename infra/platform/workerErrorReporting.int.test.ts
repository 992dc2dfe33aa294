// A worker's logged errors reach error tracking: a message on the work queue that is no task is logged
// by the worker at error level, reported as the worker's, and the plain log still has the line.
import { randomUUID } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ListErrorsResponse } from "../../schemas/api/errorReportResponses.ts";
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
let token: string;
const queue = createMemoryWorkQueue();
const workerLog: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-worker-errors-"));
  await chmod(dir, 0o755);
  database = await createTestDatabase("worker_errors");
  const config = loadConfig({ port: "0", data: join(dir, "data"), "media-dir": join(dir, "media") }, {});
  db = await openDatabase({ dataDir: config.dataDir, databaseUrl: database.url });
  const bus = createMemoryProgressBus();
  kernel = await startKernel(config, db, queue, bus, () => {});
  workers = await startWorkers(config, db.store, queue, bus, (line) => workerLog.push(line));
  const issued = await kernel.tokens.issue(
    { name: "v", role: "viewer" },
    { userId: "system", role: "system" },
  );
  if (issued._tag !== "Issued") throw new Error(issued._tag);
  token = issued.token;
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await kernel?.stop();
  await db?.close();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe("a worker's errors", () => {
  it("are reported as the worker's, with the line still in the worker's log", async () => {
    const id = randomUUID();
    await queue.publish({ id, payload: { not: "a task" } });
    const headers = { authorization: `Bearer ${token}` };
    let found: ListErrorsResponse["errors"] = [];
    for (const deadline = Date.now() + 20_000; found.length === 0; ) {
      if (Date.now() > deadline)
        throw new Error(`not reported; the worker logged ${JSON.stringify(workerLog)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const response = await fetch(`${kernel.url}/v1/errors?source=worker&q=${id}`, { headers });
      found = ((await response.json()) as ListErrorsResponse).errors;
    }
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ source_component: "worker", severity: "error", reported_by: "system" });
    expect(found[0]!.message).toMatch(
      new RegExp(`^worker .+: message ${id} is not a task message; dropped$`),
    );
    expect(found[0]!.context_data).toMatchObject({ pid: process.pid });
    expect(workerLog.filter((line) => line.includes(id))).toEqual([`error: ${found[0]!.message}`]);
  });
});
