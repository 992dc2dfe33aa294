import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createMemoryEventStore } from "../../infra/eventstore/memory/memoryEventStore.ts";
import { jobStream } from "../../schemas/events/streamNames.ts";
import { executeJobCommand, loadJob } from "./executeJobCommand.ts";

const context = {
  correlationId: randomUUID(),
  causationId: randomUUID(),
  actor: { userId: "u-1", role: "operator" as const },
  requestId: "req-1",
};
const submit = {
  type: "SubmitJob" as const,
  data: {
    jobId: "",
    userId: "u-1",
    sourceType: "upload" as const,
    sourceUrl: "fs://a.mp4",
    profileId: "720p_h264",
    outputConfig: {},
  },
};

describe("executeJobCommand", () => {
  it("appends the decided events with full metadata and reports the position", async () => {
    const store = createMemoryEventStore();
    const jobId = randomUUID();
    const now = new Date("2026-11-24T10:00:00Z");
    const result = await executeJobCommand(
      { store, newId: randomUUID, now: () => now },
      jobId,
      { ...submit, data: { ...submit.data, jobId } },
      context,
    );
    expect(result).toMatchObject({ _tag: "Executed", state: { status: "queued" }, position: 1 });
    const [event] = await store.readStream(jobStream.name(jobId));
    expect(event?.metadata).toEqual({ ...context, occurredAt: now.toISOString(), schemaVersion: 2 });
  });

  it("decides again on the fresh state when another writer got there first", async () => {
    const store = createMemoryEventStore();
    const jobId = randomUUID();
    const deps = { store, newId: randomUUID, now: () => new Date() };
    await executeJobCommand(deps, jobId, { ...submit, data: { ...submit.data, jobId } }, context);
    // a writer that read the stream before a cancel landed
    const original = store.append.bind(store);
    let interfered = false;
    store.append = async (streamId, events, options) => {
      if (!interfered) {
        interfered = true;
        await executeJobCommand(deps, jobId, { type: "CancelJob", data: { reason: "first" } }, context);
      }
      return original(streamId, events, options);
    };
    const second = await executeJobCommand(
      deps,
      jobId,
      { type: "CancelJob", data: { reason: "second" } },
      context,
    );
    expect(second).toMatchObject({ _tag: "JobRejected", code: "WE-JOB-005" });
    expect((await loadJob(store, jobId)).state).toMatchObject({ status: "cancelled" });
    expect(await store.readStream(jobStream.name(jobId))).toHaveLength(2);
  });

  it("returns the decider's refusal and appends nothing", async () => {
    const store = createMemoryEventStore();
    const result = await executeJobCommand(
      { store, newId: randomUUID, now: () => new Date() },
      randomUUID(),
      { type: "CancelJob", data: {} },
      context,
    );
    expect(result).toMatchObject({ _tag: "JobRejected", code: "WE-JOB-004" });
    expect(await store.headPosition()).toBe(0);
  });
});
