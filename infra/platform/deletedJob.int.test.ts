// Deleting a job through a running kernel: its download links stop at once, and its outputs and work
// folder are removed from storage.
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { finalOutputKey, jobWorkFolder } from "../../domain/job/jobFileKeys.ts";
import { uploadingOneTaskJob } from "../../test/support/startedJob.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/testDatabase.ts";
import { reactionContext } from "../../workers/reactionContext.ts";
import { createMemoryProgressBus } from "../progress/memoryProgressBus.ts";
import { createMemoryWorkQueue } from "../queue/memory/memoryWorkQueue.ts";
import { openDatabase, type PlatformDatabase } from "./openDatabase.ts";
import { loadConfig } from "./platformConfig.ts";
import { type Kernel, startKernel } from "./startKernel.ts";

let database: TestDatabase;
let db: PlatformDatabase;
let kernel: Kernel;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-deleted-"));
  await mkdir(join(dir, "media"));
  database = await createTestDatabase("deletedjob");
});
afterAll(async () => {
  await kernel?.stop();
  await db?.close();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

async function eventually<T>(read: () => Promise<T | undefined>): Promise<T | undefined> {
  for (let i = 0; i < 200; i++) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}

describe("deleting a job", () => {
  it("stops its download link at once and removes its output and work folder from storage", async () => {
    const config = loadConfig({ port: "0", data: join(dir, "data"), "media-dir": join(dir, "media") }, {});
    db = await openDatabase({ dataDir: config.dataDir, databaseUrl: database.url });
    // a job whose encode is done before the kernel starts: its output publisher completes it
    const { jobId } = await uploadingOneTaskJob(
      db.store,
      reactionContext({ id: randomUUID() }),
      config.storageDir,
      "the encoded movie",
    );
    kernel = await startKernel(config, db, createMemoryWorkQueue(), createMemoryProgressBus(), () => {});
    const issued = await kernel.tokens.issue(
      { name: "op", role: "operator" },
      { userId: "system", role: "system" },
    );
    if (issued._tag !== "Issued") throw new Error(issued._tag);
    const headers = { authorization: `Bearer ${issued.token}` };

    const completed = await eventually(async () => {
      const response = await fetch(`${kernel.url}/v1/jobs/${jobId}`, { headers });
      const job = response.status === 200 ? ((await response.json()) as { status: string }) : undefined;
      return job?.status === "completed" ? job : undefined;
    });
    expect(completed).toBeDefined();
    const outputs = (await (await fetch(`${kernel.url}/v1/jobs/${jobId}/outputs`, { headers })).json()) as {
      outputs: Array<{ download_url: string }>;
    };
    const link = outputs.outputs[0]!.download_url;
    const before = await fetch(link);
    expect(before.status).toBe(200);
    expect(await before.text()).toBe("the encoded movie");
    const output = join(config.storageDir, finalOutputKey(jobId));
    expect(existsSync(output)).toBe(true);

    const deleted = await fetch(`${kernel.url}/v1/jobs/${jobId}`, { method: "DELETE", headers });
    expect(deleted.status).toBe(204);
    // at once, whether or not the sweeper has removed the file yet
    for (const method of ["GET", "HEAD"]) {
      const after = await fetch(link, { method });
      expect(after.status).toBe(404);
      if (method === "GET") {
        expect(((await after.json()) as { error: { code: string } }).error.code).toBe("WE-JOB-004");
      }
    }
    const folder = join(config.storageDir, "outputs", jobId);
    const gone = await eventually(async () => (existsSync(folder) ? undefined : true));
    expect(gone).toBe(true);
    expect(existsSync(output)).toBe(false);
    expect(existsSync(join(config.storageDir, jobWorkFolder(jobId)))).toBe(false);
  });
});
