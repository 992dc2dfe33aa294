import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RecordedEvent } from "../../domain/ports/eventStore.ts";
import { sweepWork } from "./workSweeper.ts";

let storageRoot: string;
beforeEach(async () => {
  storageRoot = await mkdtemp(join(tmpdir(), "work-sweeper-"));
});
afterEach(async () => {
  await rm(storageRoot, { recursive: true, force: true });
});

const workOf = async (jobId: string) => {
  const folder = join(storageRoot, "work", jobId, randomUUID());
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, "1.partial.mp4"), "half an encode");
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
    await sweepWork({ storageRoot }, event("JobCancelled", `job-${cancelled}`));
    await sweepWork({ storageRoot }, event("JobDeleted", `job-${deleted}`));
    await sweepWork({ storageRoot }, event("JobCancelled", `job-${cancelled}`)); // redelivered: nothing left to do
    expect(await readdir(join(storageRoot, "work"))).toEqual([other]);
  });

  it("removes a deleted job's outputs too, and keeps a cancelled job's", async () => {
    const [cancelled, deleted] = [randomUUID(), randomUUID()];
    for (const jobId of [cancelled, deleted]) {
      await mkdir(join(storageRoot, "outputs", jobId), { recursive: true });
      await writeFile(join(storageRoot, "outputs", jobId, `${jobId}_final.mp4`), "movie");
    }
    await sweepWork({ storageRoot }, event("JobCancelled", `job-${cancelled}`));
    await sweepWork({ storageRoot }, event("JobDeleted", `job-${deleted}`));
    await sweepWork({ storageRoot }, event("JobDeleted", `job-${deleted}`)); // redelivered
    expect(await readdir(join(storageRoot, "outputs"))).toEqual([cancelled]);
  });

  it("never takes a stream name for a path", async () => {
    await writeFile(join(storageRoot, "keep.txt"), "x");
    await workOf(randomUUID());
    for (const streamId of ["job-..", "job-../..", "job-", `job-${randomUUID()}/..`]) {
      await sweepWork({ storageRoot }, event("JobDeleted", streamId));
    }
    expect((await readdir(storageRoot)).sort()).toEqual(["keep.txt", "work"]);
    expect(await readdir(join(storageRoot, "work"))).toHaveLength(1);
  });
});
