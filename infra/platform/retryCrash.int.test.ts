// A retry whose API process died between its two appends still ends with the new job submitted; and
// a deleted job's work folder is swept.
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeJobCommand } from "../../commands/jobs/executeJobCommand.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/testDatabase.ts";
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
  dir = await mkdtemp(join(tmpdir(), "webencode-retry-"));
  await chmod(dir, 0o755);
  await mkdir(join(dir, "media"));
  database = await createTestDatabase("retrycrash");
});
afterAll(async () => {
  await kernel?.stop();
  await db?.close();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe("retry", () => {
  it("submits the new job even when only the old job's JobRetried was written", async () => {
    const config = loadConfig({ port: "0", data: join(dir, "data"), "media-dir": join(dir, "media") }, {});
    db = await openDatabase({ dataDir: config.dataDir, databaseUrl: database.url });
    kernel = await startKernel(config, db, createMemoryWorkQueue(), createMemoryProgressBus(), () => {});
    const issued = await kernel.tokens.issue(
      { name: "op", role: "operator" },
      { userId: "system", role: "system" },
    );
    if (issued._tag !== "Issued") throw new Error(issued._tag);
    const headers = { authorization: `Bearer ${issued.token}`, "content-type": "application/json" };

    const jobId = randomUUID();
    const deps = { store: db.store, newId: randomUUID, now: () => new Date() };
    const context = {
      correlationId: randomUUID(),
      causationId: randomUUID(),
      actor: { userId: "u-alice", role: "operator" as const },
    };
    const submitted = {
      jobId,
      userId: "u-alice",
      sourceType: "upload" as const,
      sourceUrl: "fs://missing.mp4",
      profileId: "480p_fast",
      outputConfig: {},
    };
    expect(
      (await executeJobCommand(deps, jobId, { type: "SubmitJob", data: submitted }, context))._tag,
    ).not.toBe("JobRejected");
    // what POST /v1/jobs/{id}/retry appends first; here the process "dies" before submitting the new job
    const newJobId = randomUUID();
    expect(
      (await executeJobCommand(deps, jobId, { type: "RetryJob", data: { newJobId } }, context))._tag,
    ).not.toBe("JobRejected");

    let found: { retry_of?: string; source_url?: string } | null = null;
    for (let i = 0; i < 100 && !found; i++) {
      const response = await fetch(`${kernel.url}/v1/jobs/${newJobId}`, { headers });
      if (response.status === 200) found = (await response.json()) as typeof found;
      else await new Promise((r) => setTimeout(r, 100));
    }
    expect(found).toMatchObject({ retry_of: jobId, source_url: "fs://missing.mp4" });
    const old = (await (await fetch(`${kernel.url}/v1/jobs/${jobId}`, { headers })).json()) as {
      retried_as: string;
    };
    expect(old.retried_as).toBe(newJobId);
    // once the old job is deleted (or cancelled), its work folder is swept
    const work = join(config.storageDir, "work", jobId);
    const attempt = join(work, randomUUID());
    await mkdir(attempt, { recursive: true });
    await writeFile(join(attempt, "1.mp4"), "an attempt's output");
    expect((await executeJobCommand(deps, jobId, { type: "DeleteJob", data: {} }, context))._tag).not.toBe(
      "JobRejected",
    );
    for (let i = 0; i < 100 && existsSync(work); i++) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(work)).toBe(false);
  });
});
