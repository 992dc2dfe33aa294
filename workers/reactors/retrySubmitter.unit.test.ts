import { randomUUID } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { createJobCommands } from "../../commands/jobs/createJobCommands.ts";
import { executeJobCommand } from "../../commands/jobs/executeJobCommand.ts";
import type { EventStore } from "../../domain/ports/eventStore.ts";
import { builtInProfiles } from "../../domain/profile/builtInProfiles.ts";
import { createMemoryEventStore } from "../../infra/eventstore/memory/memoryEventStore.ts";
import { jobStream } from "../../schemas/events/streamNames.ts";
import { reactionContext } from "../reactionContext.ts";
import { submitRetry } from "./retrySubmitter.ts";

let store: EventStore;
const deps = () => ({ store, newId: randomUUID, now: () => new Date() });
const alice = reactionContext({ id: randomUUID() }, { userId: "u-alice", role: "operator" });

beforeEach(() => {
  store = createMemoryEventStore();
});

/** A job, then its retry recorded on it: what the API appends first. */
async function retried() {
  const jobId = randomUUID();
  const newJobId = randomUUID();
  const original = {
    jobId,
    userId: "u-bob",
    sourceType: "upload" as const,
    sourceUrl: "fs://uploads/a.mp4",
    profileId: "720p_h264",
    // the snapshot taken at submission: the retry encodes with it, whatever the profile is now
    profile: builtInProfiles["720p_h264"]!,
    outputConfig: { container: "mp4" },
  };
  await executeJobCommand(deps(), jobId, { type: "SubmitJob", data: original }, alice);
  await executeJobCommand(deps(), jobId, { type: "RetryJob", data: { newJobId } }, alice);
  const event = (await store.readStream(jobStream.name(jobId))).find((e) => e.type === "JobRetried")!;
  return { jobId, newJobId, original, event };
}

describe("retry submitter", () => {
  it("submits the new job, with the old job's profile snapshot, when the API stopped after recording the retry, once", async () => {
    const { jobId, newJobId, original, event } = await retried();
    expect(await store.readStream(jobStream.name(newJobId))).toEqual([]);

    await submitRetry({ jobs: createJobCommands(deps()) }, event);
    await submitRetry({ jobs: createJobCommands(deps()) }, event); // redelivered
    const stream = await store.readStream(jobStream.name(newJobId));
    expect(stream.map((e) => e.type)).toEqual(["JobSubmitted"]);
    expect(stream[0]!.data).toEqual({ ...original, jobId: newJobId, userId: "u-alice", retryOf: jobId });
    expect(stream[0]!.metadata).toMatchObject({
      actor: { userId: "u-alice", role: "operator" },
      causationId: event.id,
    });
  });

  it("leaves a retry the API submitted itself as it is", async () => {
    const { jobId, newJobId, original, event } = await retried();
    const submitted = await executeJobCommand(
      deps(),
      newJobId,
      { type: "SubmitJob", data: { ...original, jobId: newJobId, userId: "u-alice", retryOf: jobId } },
      alice,
    );
    expect(submitted._tag).not.toBe("JobRejected");
    await submitRetry({ jobs: createJobCommands(deps()) }, event);
    expect((await store.readStream(jobStream.name(newJobId))).map((e) => e.type)).toEqual(["JobSubmitted"]);
  });
});
