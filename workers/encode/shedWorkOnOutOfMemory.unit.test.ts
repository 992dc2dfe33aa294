import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createJobCommands } from "../../commands/jobs/createJobCommands.ts";
import { createWorkerCommands } from "../../commands/workers/createWorkerCommands.ts";
import type { EventStore } from "../../domain/ports/eventStore.ts";
import type { JobCommands } from "../../domain/ports/jobCommands.ts";
import { createMemoryEventStore } from "../../infra/eventstore/memory/memoryEventStore.ts";
import { currentSchemaVersion } from "../../schemas/events/currentSchemaVersion.ts";
import { workerStream } from "../../schemas/events/streamNames.ts";
import { startedOneTaskJob } from "../../test/support/startedJob.ts";
import { reactionContext } from "../reactionContext.ts";
import { shedWorkOnOutOfMemory } from "./shedWorkOnOutOfMemory.ts";

const context = reactionContext({ id: randomUUID() });

async function startWorker(store: EventStore, workerId: string) {
  await store.append(
    workerStream.name(workerId),
    [
      {
        id: randomUUID(),
        type: "WorkerStarted",
        data: {
          workerId,
          hostname: "encoder",
          pid: 4242,
          capabilities: { encoders: [], hwaccels: [], audioCodecs: [], containers: [] },
        },
        metadata: {
          ...context,
          occurredAt: new Date().toISOString(),
          schemaVersion: currentSchemaVersion("WorkerStarted"),
        },
      },
    ],
    { expected: "any" },
  );
}

/** A one-task job started by "w" whose attempt now fails with `exitClass` through `jobs`. */
async function failAnAttempt(store: EventStore, jobs: JobCommands, exitClass: "oom" | "transient") {
  const { jobId, taskId } = await startedOneTaskJob(store, context);
  const data = { taskId, attempt: 1, exitClass, message: "x", stderrTail: "", now: new Date().toISOString() };
  await jobs.execute(jobId, { type: "FailTask", data }, context);
}

const drainedOf = async (store: EventStore, workerId: string) =>
  (await store.readStream(workerStream.name(workerId))).filter((e) => e.type === "WorkerDrained").length;

describe("shedWorkOnOutOfMemory", () => {
  it("drains one other worker of the process per out-of-memory failure, never the last one taking work", async () => {
    const store = createMemoryEventStore();
    const deps = { store, newId: randomUUID, now: () => new Date() };
    const shedding = shedWorkOnOutOfMemory({
      jobs: createJobCommands(deps),
      workers: createWorkerCommands(deps),
      newId: randomUUID,
    });
    const ids = ["p-1", "p-2", "p-3"];
    for (const id of ids) await startWorker(store, id);
    const [first] = ids.map((id) => shedding.jobsOf(id));

    await failAnAttempt(store, first!, "transient");
    expect(await Promise.all(ids.map((id) => drainedOf(store, id)))).toEqual([0, 0, 0]);

    await failAnAttempt(store, first!, "oom");
    expect(await Promise.all(ids.map((id) => drainedOf(store, id)))).toEqual([0, 0, 1]);
    await failAnAttempt(store, first!, "oom");
    expect(await Promise.all(ids.map((id) => drainedOf(store, id)))).toEqual([0, 1, 1]);
    // the worker that ran out of memory is the last one taking work: it stays
    await failAnAttempt(store, first!, "oom");
    expect(await Promise.all(ids.map((id) => drainedOf(store, id)))).toEqual([0, 1, 1]);
  });

  it("sheds nothing in a process of one worker", async () => {
    const store = createMemoryEventStore();
    const deps = { store, newId: randomUUID, now: () => new Date() };
    const shedding = shedWorkOnOutOfMemory({
      jobs: createJobCommands(deps),
      workers: createWorkerCommands(deps),
      newId: randomUUID,
    });
    await startWorker(store, "solo");
    await failAnAttempt(store, shedding.jobsOf("solo"), "oom");
    expect(await drainedOf(store, "solo")).toBe(0);
  });
});
