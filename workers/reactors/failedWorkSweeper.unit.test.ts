import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { executeJobCommand } from "../../commands/jobs/executeJobCommand.ts";
import type { EventStore } from "../../domain/ports/eventStore.ts";
import { createMemoryEventStore } from "../../infra/eventstore/memory/memoryEventStore.ts";
import { type FsMediaStorage, fsMediaStorage } from "../../test/support/fsMediaStorage.ts";
import { startedOneTaskJob, uploadingOneTaskJob } from "../../test/support/startedJob.ts";
import { reactionContext } from "../reactionContext.ts";
import { startFailedWorkSweeper, sweepFailedWork } from "./failedWorkSweeper.ts";

let storageRoot: string;
let store: EventStore;
let storage: FsMediaStorage;
const context = reactionContext({ id: randomUUID() });
const HOUR = 3600_000;
const failedAt = new Date("2030-01-10T12:00:00Z");

beforeEach(async () => {
  storageRoot = await mkdtemp(join(tmpdir(), "failed-work-sweeper-"));
  store = createMemoryEventStore();
  storage = await fsMediaStorage({ storageRoot });
});
afterEach(async () => {
  await storage.close();
  await rm(storageRoot, { recursive: true, force: true });
});

/** A job that failed at `failedAt`, its work folder still there (and touched long after it failed). */
async function failedJob(): Promise<{ jobId: string; folder: string }> {
  const { jobId, outputPath } = await uploadingOneTaskJob(store, context, storageRoot, "half a movie");
  const deps = { store, newId: randomUUID, now: () => failedAt };
  const failed = await executeJobCommand(
    deps,
    jobId,
    { type: "FailUpload", data: { code: "WE-STO-001", message: "the output went missing" } },
    context,
  );
  if (failed._tag === "JobRejected") throw new Error(failed.message);
  const later = new Date(failedAt.getTime() + 30 * 24 * HOUR);
  await utimes(outputPath, later, later);
  return { jobId, folder: join(storageRoot, "work", jobId) };
}

describe("failed-work sweeper", () => {
  it("keeps a failed job's work folder for the retention counted from JobFailed, then removes it", async () => {
    const { jobId, folder } = await failedJob();
    const running = await startedOneTaskJob(store, context);
    await mkdir(join(storageRoot, "work", running.jobId, running.taskId), { recursive: true });
    const unknown = randomUUID();
    await mkdir(join(storageRoot, "work", unknown));
    await writeFile(join(storageRoot, "work", "notes.txt"), "an operator's notes");
    const at = (ms: number) => ({ store, storage, retentionMs: 2 * HOUR, now: () => new Date(ms) });

    expect(await sweepFailedWork(at(failedAt.getTime() + 2 * HOUR - 1))).toEqual([]);
    expect(existsSync(folder)).toBe(true);
    expect(await sweepFailedWork(at(failedAt.getTime() + 2 * HOUR))).toEqual([jobId]);
    expect(existsSync(folder)).toBe(false);
    // a job that has not failed, a folder no job owns and anything else stay, however late it is
    expect(await sweepFailedWork(at(failedAt.getTime() + 1000 * HOUR))).toEqual([]);
    expect((await readdir(join(storageRoot, "work"))).sort()).toEqual(
      [running.jobId, unknown, "notes.txt"].sort(),
    );
  });

  it("sweeps on its own, every interval, by the clock it is given", async () => {
    const { folder } = await failedJob();
    let clock = failedAt.getTime();
    const sweeper = startFailedWorkSweeper({
      store,
      storage,
      retentionMs: 7 * 24 * HOUR,
      intervalMs: 20,
      now: () => new Date(clock),
    });
    try {
      await new Promise((r) => setTimeout(r, 200));
      expect(existsSync(folder)).toBe(true);
      clock += 7 * 24 * HOUR;
      for (let i = 0; i < 500 && existsSync(folder); i++) await new Promise((r) => setTimeout(r, 20));
      expect(existsSync(folder)).toBe(false);
    } finally {
      await sweeper.stop();
    }
  });
});
