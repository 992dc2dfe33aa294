import { createHash, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createJobCommands } from "../../commands/jobs/createJobCommands.ts";
import { finalOutputKey } from "../../domain/job/jobFileKeys.ts";
import type { EventStore } from "../../domain/ports/eventStore.ts";
import { createMemoryEventStore } from "../../infra/eventstore/memory/memoryEventStore.ts";
import { jobStream } from "../../schemas/events/streamNames.ts";
import { type FsMediaStorage, fsMediaStorage } from "../../test/support/fsMediaStorage.ts";
import { uploadingOneTaskJob } from "../../test/support/startedJob.ts";
import { reactionContext } from "../reactionContext.ts";
import { publishJobOutput } from "./outputPublisher.ts";

let storageRoot: string;
let store: EventStore;
let storage: FsMediaStorage;
const context = reactionContext({ id: randomUUID() });

beforeEach(async () => {
  storageRoot = await mkdtemp(join(tmpdir(), "output-publisher-unit-"));
  store = createMemoryEventStore();
  storage = await fsMediaStorage({ storageRoot });
});
afterEach(async () => {
  await storage.close();
  await rm(storageRoot, { recursive: true, force: true });
});

const uploadingJob = (bytes: string) => uploadingOneTaskJob(store, context, storageRoot, bytes);

const publisherDeps = () => ({
  jobs: createJobCommands({ store, newId: randomUUID, now: () => new Date() }),
  storage,
});

describe("output publisher", () => {
  it("moves the task output into outputs/ and completes the job; a redelivery changes nothing", async () => {
    const { jobId, uploading } = await uploadingJob("final bytes");
    await publishJobOutput(publisherDeps(), uploading);
    await publishJobOutput(publisherDeps(), uploading);

    const events = await store.readStream(jobStream.name(jobId));
    expect(events.filter((e) => e.type === "JobCompleted")).toHaveLength(1);
    expect(events.at(-1)?.data).toEqual({
      outputs: [
        {
          name: `${jobId}_final.mp4`,
          type: "final",
          key: finalOutputKey(jobId),
          sizeBytes: 11,
          checksum: `sha256:${createHash("sha256").update("final bytes").digest("hex")}`,
          profile: "480p_fast",
        },
      ],
    });
    expect(await readFile(join(storageRoot, finalOutputKey(jobId)), "utf8")).toBe("final bytes");
    // the job's work folder is gone, and the folders it emptied with it
    expect(existsSync(join(storageRoot, "work"))).toBe(false);
  });

  it("completes a job whose output was moved before a crash, and never publishes an altered output", async () => {
    const moved = await uploadingJob("moved");
    await mkdir(join(storageRoot, "outputs", moved.jobId), { recursive: true });
    await writeFile(join(storageRoot, finalOutputKey(moved.jobId)), "moved");
    await rm(moved.outputPath);
    await publishJobOutput(publisherDeps(), moved.uploading);
    expect((await store.readStream(jobStream.name(moved.jobId))).at(-1)?.type).toBe("JobCompleted");

    const altered = await uploadingJob("original");
    await writeFile(altered.outputPath, "tampered");
    await publishJobOutput(publisherDeps(), altered.uploading);
    const failed = (await store.readStream(jobStream.name(altered.jobId))).at(-1);
    expect(failed?.type).toBe("JobFailed");
    expect(failed?.data).toMatchObject({ code: "WE-STO-001", message: expect.stringMatching(/altered/) });
    expect(await readdir(join(storageRoot, "outputs"))).toEqual([moved.jobId]);
    // the work directory stays for an operator to look at; a redelivery changes nothing
    expect(await readFile(altered.outputPath, "utf8")).toBe("tampered");
    await publishJobOutput(publisherDeps(), altered.uploading);
    expect(
      (await store.readStream(jobStream.name(altered.jobId))).filter((e) => e.type === "JobFailed"),
    ).toHaveLength(1);
  });

  it("fails a job whose output went missing, instead of leaving it uploading", async () => {
    const missing = await uploadingJob("bytes");
    await rm(missing.outputPath);
    await publishJobOutput(publisherDeps(), missing.uploading);
    expect((await store.readStream(jobStream.name(missing.jobId))).at(-1)).toMatchObject({
      type: "JobFailed",
      data: { code: "WE-STO-001" },
    });
  });
});
