import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RecordedEvent } from "../../domain/ports/eventStore.ts";
import { type FsMediaStorage, fsMediaStorage } from "../../test/support/fsMediaStorage.ts";
import { sweepWork, type WorkSweeperDeps } from "./workSweeper.ts";

let storageRoot: string;
let deps: WorkSweeperDeps & { storage: FsMediaStorage };
beforeEach(async () => {
  storageRoot = await mkdtemp(join(tmpdir(), "work-sweeper-"));
  deps = { storage: await fsMediaStorage({ storageRoot }) };
});
afterEach(async () => {
  await deps.storage.close();
  await rm(storageRoot, { recursive: true, force: true });
});

const workOf = async (jobId: string) => {
  const folder = join(storageRoot, "work", jobId, randomUUID());
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, "1.mp4"), "an attempt's output");
};
const event = (type: string, streamId: string): RecordedEvent => ({
  id: randomUUID(),
  type,
  data: {},
  metadata: {},
  streamId,
  revision: 3,
  position: 10,
  checkpoint: "10",
  createdAt: new Date(),
});

describe("work sweeper", () => {
  it("removes the work folder of a cancelled or deleted job, and only that one", async () => {
    const [cancelled, deleted, other] = [randomUUID(), randomUUID(), randomUUID()];
    for (const jobId of [cancelled, deleted, other]) await workOf(jobId);
    await sweepWork(deps, event("JobCancelled", `job-${cancelled}`));
    await sweepWork(deps, event("JobDeleted", `job-${deleted}`));
    await sweepWork(deps, event("JobCancelled", `job-${cancelled}`)); // redelivered: nothing left to do
    expect(await readdir(join(storageRoot, "work"))).toEqual([other]);
  });

  it("removes a deleted job's outputs too, and keeps a cancelled job's", async () => {
    const [cancelled, deleted] = [randomUUID(), randomUUID()];
    for (const jobId of [cancelled, deleted]) {
      await mkdir(join(storageRoot, "outputs", jobId), { recursive: true });
      await writeFile(join(storageRoot, "outputs", jobId, `${jobId}_final.mp4`), "movie");
    }
    await sweepWork(deps, event("JobCancelled", `job-${cancelled}`));
    await sweepWork(deps, event("JobDeleted", `job-${deleted}`));
    await sweepWork(deps, event("JobDeleted", `job-${deleted}`)); // redelivered
    expect(await readdir(join(storageRoot, "outputs"))).toEqual([cancelled]);
  });

  it("never takes a stream name for a path", async () => {
    await writeFile(join(storageRoot, "keep.txt"), "x");
    await workOf(randomUUID());
    for (const streamId of ["job-..", "job-../..", "job-", `job-${randomUUID()}/..`]) {
      await sweepWork(deps, event("JobDeleted", streamId));
    }
    expect((await readdir(storageRoot)).sort()).toEqual(["keep.txt", "work"]);
    expect(await readdir(join(storageRoot, "work"))).toHaveLength(1);
  });
});
