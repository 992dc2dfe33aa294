import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { executeJobCommand } from "../../commands/jobs/executeJobCommand.ts";
import { createWorkerCommands } from "../../commands/workers/createWorkerCommands.ts";
import type { JobCommand } from "../../domain/job/commands.ts";
import type { EventStore, RecordedEvent } from "../../domain/ports/eventStore.ts";
import { createMemoryEventStore } from "../../infra/eventstore/memory/memoryEventStore.ts";
import { currentSchemaVersion } from "../../schemas/events/currentSchemaVersion.ts";
import { jobStream, workerStream } from "../../schemas/events/streamNames.ts";
import { sourceInfoFixture } from "../../test/support/createFakeEncoder.ts";
import { reactionContext } from "../reactionContext.ts";
import { taskIdOf } from "../taskIdOf.ts";
import { sourceMetadataOf } from "./jobPlanner.ts";
import { workerQuarantine } from "./workerQuarantine.ts";

const context = reactionContext({ id: randomUUID() });

function harness() {
  const store = createMemoryEventStore();
  const deps = { store, newId: randomUUID, now: () => new Date() };
  const reactor = workerQuarantine({
    store,
    workers: createWorkerCommands(deps),
  });
  let handled = 0;
  /** Hands the reactor every job event it has not seen yet, in log order, as the runner would. */
  const react = async (through: ReturnType<typeof workerQuarantine> = reactor) => {
    const events = await store.readAll({ from: "start" });
    const types = through.filter?.eventTypes ?? [];
    for (const event of events.slice(handled)) {
      if (jobStream.matches(event.streamId) && types.includes(event.type))
        await through.handle(event, new AbortController().signal);
    }
    handled = events.length;
  };
  return { store, deps, reactor, react };
}

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

/** A job of `tasks` tasks, planned: attempt 1 of each is scheduled. */
async function plannedJob(deps: Parameters<typeof executeJobCommand>[0], tasks: number) {
  const jobId = randomUUID();
  const run = async (command: JobCommand) => {
    const result = await executeJobCommand(deps, jobId, command, context);
    if (result._tag === "JobRejected") throw new Error(`${command.type}: ${result.message}`);
  };
  const data = {
    jobId,
    userId: "u",
    sourceType: "upload" as const,
    sourceUrl: "fs://a.mp4",
    profileId: "480p_fast",
    outputConfig: {},
  };
  await run({ type: "SubmitJob", data });
  await run({ type: "RecordProbe", data: sourceMetadataOf(sourceInfoFixture("a"), 30) });
  const planned = Array.from({ length: tasks }, (_, i) => ({
    taskId: taskIdOf(jobId, i),
    sequenceIndex: i,
    startTimeSec: i * 10,
    endTimeSec: i * 10 + 10,
  }));
  await run({ type: "PlanJob", data: { tasks: planned } });
  const taskId = (i: number) => taskIdOf(jobId, i);
  return {
    jobId,
    start: (i: number, workerId: string, attempt = 1) =>
      run({ type: "StartTask", data: { taskId: taskId(i), attempt, workerId } }),
    fail: (i: number, exitClass: "transient" | "input" | "oom", attempt = 1) =>
      run({
        type: "FailTask",
        data: {
          taskId: taskId(i),
          attempt,
          exitClass,
          message: "ffmpeg failed",
          stderrTail: "",
          now: new Date().toISOString(),
        },
      }),
    complete: (i: number, attempt = 1) =>
      run({
        type: "CompleteTask",
        data: {
          taskId: taskId(i),
          attempt,
          outputKey: `work/${jobId}/${i}.mp4`,
          sizeBytes: 1,
          checksum: `sha256:${"0".repeat(64)}`,
          durationSec: 10,
        },
      }),
  };
}

const workerTypes = async (store: EventStore, workerId: string) =>
  (await store.readStream(workerStream.name(workerId))).map((e: RecordedEvent) => e.type);

describe("worker quarantine reactor", () => {
  it("quarantines the worker that held three attempts that failed in a row, not the one beside it", async () => {
    const { store, deps, react } = harness();
    await startWorker(store, "w-bad");
    await startWorker(store, "w-good");
    const job = await plannedJob(deps, 4);
    for (const i of [0, 1, 2]) {
      await job.start(i, "w-bad");
      await job.fail(i, "transient");
      await react();
    }
    await job.start(3, "w-good");
    await job.complete(3);
    await react();
    expect(await workerTypes(store, "w-bad")).toEqual([
      "WorkerStarted",
      "WorkerAttemptFailed",
      "WorkerAttemptFailed",
      "WorkerAttemptFailed",
      "WorkerQuarantined",
    ]);
    const [quarantined] = (await store.readStream(workerStream.name("w-bad"))).slice(-1);
    expect(quarantined?.data).toMatchObject({ workerId: "w-bad", exitClass: "transient", failures: 3 });
    // a success with no failures before it writes nothing
    expect(await workerTypes(store, "w-good")).toEqual(["WorkerStarted"]);
  });

  it("finds the holder in the job's events when it did not see the attempt start, and lets a success end the run", async () => {
    const { store, deps, react } = harness();
    await startWorker(store, "w-a");
    const job = await plannedJob(deps, 4);
    await job.start(0, "w-a");
    await job.fail(0, "transient");
    await job.start(1, "w-a");
    await job.fail(1, "transient");
    // a kernel that restarts: a new reactor, which never saw the starts, picks up the log
    const restarted = workerQuarantine({
      store,
      workers: createWorkerCommands(deps),
    });
    await react(restarted);
    await job.start(2, "w-a");
    await job.complete(2);
    await job.start(3, "w-a");
    await job.fail(3, "transient");
    await react(restarted);
    expect(await workerTypes(store, "w-a")).toEqual([
      "WorkerStarted",
      "WorkerAttemptFailed",
      "WorkerAttemptFailed",
      "WorkerRecovered",
      "WorkerAttemptFailed",
    ]);
  });

  it("holds a corrupt input against nobody, and a failure before any start against no worker", async () => {
    const { store, deps, react } = harness();
    await startWorker(store, "w-a");
    const job = await plannedJob(deps, 2);
    await job.fail(1, "transient"); // its lease ran out before a worker started it
    await job.start(0, "w-a");
    await job.fail(0, "input");
    await react();
    expect(await workerTypes(store, "w-a")).toEqual(["WorkerStarted"]);
  });
});
