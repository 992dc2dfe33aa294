import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createMemoryEventStore } from "../../infra/eventstore/memory/memoryEventStore.ts";
import { createJobCommands } from "./createJobCommands.ts";

const context = {
  correlationId: randomUUID(),
  causationId: randomUUID(),
  actor: { userId: "u-1", role: "operator" as const },
};

describe("createJobCommands", () => {
  it("executes, loads and tells a live job from a deleted or unknown one through the port", async () => {
    const store = createMemoryEventStore();
    const jobs = createJobCommands({ store, newId: randomUUID, now: () => new Date() });
    const jobId = randomUUID();
    expect(await jobs.isLive(jobId)).toBe(false);
    expect(await jobs.load(jobId)).toEqual({
      state: { status: "initial" },
      revision: "no_stream",
      position: 0,
    });

    const submitted = await jobs.execute(
      jobId,
      {
        type: "SubmitJob",
        data: {
          jobId,
          userId: "u-1",
          sourceType: "upload",
          sourceUrl: "fs://a.mp4",
          profileId: "720p_h264",
          outputConfig: {},
        },
      },
      context,
    );
    expect(submitted).toMatchObject({ _tag: "Executed", state: { status: "queued" }, position: 1 });
    expect(await jobs.load(jobId)).toMatchObject({ state: { status: "queued" }, revision: 0, position: 1 });
    expect(await jobs.isLive(jobId)).toBe(true);

    // a command made from the state it is decided on
    const deleted = await jobs.execute(
      jobId,
      (state) => ({ type: state.status === "queued" ? "DeleteJob" : "CancelJob", data: {} }),
      context,
    );
    expect(deleted._tag === "Executed" && deleted.events.map((e) => e.type)).toEqual([
      "JobCancelled",
      "JobDeleted",
    ]);
    expect(await jobs.isLive(jobId)).toBe(false);
    expect(await jobs.execute(jobId, { type: "CancelJob", data: {} }, context)).toMatchObject({
      _tag: "JobRejected",
    });
  });

  it("folds only the events after the state it folded before, and still sees what another process wrote", async () => {
    const store = createMemoryEventStore();
    const reads: { streamId: string; from: unknown }[] = [];
    const counting = {
      ...store,
      readStream: (streamId: string, options?: Parameters<typeof store.readStream>[1]) => {
        reads.push({ streamId, from: options?.from });
        return store.readStream(streamId, options);
      },
    };
    const jobs = createJobCommands({ store: counting, newId: randomUUID, now: () => new Date() });
    // another process, with its own cache, on the same store
    const elsewhere = createJobCommands({ store, newId: randomUUID, now: () => new Date() });
    const jobId = randomUUID();
    const submit = {
      type: "SubmitJob" as const,
      data: {
        jobId,
        userId: "u-1",
        sourceType: "upload" as const,
        sourceUrl: "fs://a.mp4",
        profileId: "720p_h264",
        outputConfig: {},
      },
    };
    await jobs.execute(jobId, submit, context);
    await elsewhere.execute(jobId, { type: "CancelJob", data: { reason: "elsewhere" } }, context);
    reads.length = 0;
    const loaded = await jobs.load(jobId);
    expect(loaded).toMatchObject({ state: { status: "cancelled", cancelReason: "elsewhere" }, revision: 1 });
    // one read, from the revision after the cached one
    expect(reads).toEqual([{ streamId: `job-${jobId}`, from: 1 }]);
  });
});
