import { createHash, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { access, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createJobCommands } from "../../commands/jobs/createJobCommands.ts";
import { executeJobCommand } from "../../commands/jobs/executeJobCommand.ts";
import type { EventStore, JsonObject, RecordedEvent } from "../../domain/ports/eventStore.ts";
import type { WorkMessage, WorkQueue } from "../../domain/ports/workQueue.ts";
import { createMemoryEventStore } from "../../infra/eventstore/memory/memoryEventStore.ts";
import { createMemoryWorkQueue } from "../../infra/queue/memory/memoryWorkQueue.ts";
import { builtInProfiles } from "../../plugins/encoder-ffmpeg/builtInProfiles.ts";
import { jobStream } from "../../schemas/events/streamNames.ts";
import {
  createFakeEncoder,
  type FakeEncoder,
  sourceInfoFixture,
} from "../../test/support/createFakeEncoder.ts";
import {
  createRecordingProgressBus,
  type RecordingProgressBus,
} from "../../test/support/createRecordingProgressBus.ts";
import { type FsMediaStorage, fsMediaStorage } from "../../test/support/fsMediaStorage.ts";
import { reactionContext } from "../reactionContext.ts";
import { dispatchScheduledTask } from "../reactors/dispatcher.ts";
import { sourceMetadataOf } from "../reactors/jobPlanner.ts";
import { taskIdOf } from "../taskIdOf.ts";
import { type EncodeWorker, startEncodeWorker } from "./encodeWorker.ts";

let dir: string;
let store: EventStore;
let encoder: FakeEncoder;
let bus: RecordingProgressBus;
let storage: FsMediaStorage;
const workers: EncodeWorker[] = [];
const deps = () => ({ store, newId: randomUUID, now: () => new Date() });
const context = reactionContext({ id: randomUUID() });

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "encode-worker-unit-"));
  await writeFile(join(dir, "clip.mp4"), "not really a video; the fake encoder does not care");
  store = createMemoryEventStore();
  encoder = createFakeEncoder();
  bus = createRecordingProgressBus();
  storage = await fsMediaStorage({ mediaRoot: dir, storageRoot: join(dir, "storage") });
});
afterEach(async () => {
  for (const worker of workers.splice(0)) await worker.stop();
  await storage.close();
  await rm(dir, { recursive: true, force: true });
});

async function plannedJob(): Promise<{ jobId: string; taskId: string }> {
  const jobId = randomUUID();
  const taskId = taskIdOf(jobId, 0);
  const data = {
    jobId,
    userId: "u-1",
    sourceType: "upload" as const,
    sourceUrl: "fs://clip.mp4",
    profileId: "480p_fast",
    outputConfig: {},
  };
  await executeJobCommand(deps(), jobId, { type: "SubmitJob", data }, context);
  const probe = sourceMetadataOf(sourceInfoFixture(join(dir, "clip.mp4")), 10);
  await executeJobCommand(deps(), jobId, { type: "RecordProbe", data: probe }, context);
  const tasks = [{ taskId, sequenceIndex: 0, startTimeSec: 0, endTimeSec: 2 }];
  await executeJobCommand(deps(), jobId, { type: "PlanJob", data: { tasks } }, context);
  return { jobId, taskId };
}

const eventsOf = async (jobId: string) => store.readStream(jobStream.name(jobId));
const typesOf = async (jobId: string) => (await eventsOf(jobId)).map((e) => e.type);

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const eventOfType = (jobId: string, type: string, nth = 0) =>
  waitFor(type, async () => (await eventsOf(jobId)).filter((e) => e.type === type)[nth]);

async function dispatchAll(queue: WorkQueue, jobId: string) {
  for (const event of await eventsOf(jobId)) {
    if (event.type === "TaskScheduled") await dispatchScheduledTask({ queue }, event);
  }
}

async function startWorker(queue: WorkQueue, workerId = "w-a") {
  const worker = await startEncodeWorker({
    workerId,
    jobs: createJobCommands(deps()),
    store,
    queue,
    progressBus: bus,
    encoder,
    profiles: builtInProfiles,
    storage,
    scratchDir: join(dir, "scratch"),
    ackWaitMs: 3_000,
    newId: randomUUID,
    now: () => new Date(),
  });
  workers.push(worker);
  return worker;
}

/** A queue that hands out the given deliveries once each and records what the worker did with them. */
function scriptedQueue(deliveries: { payload: JsonObject; deliveryCount: number }[]) {
  const settled: string[] = [];
  const queue: WorkQueue = {
    publish: async () => ({ duplicate: false }),
    async *consume({ signal, lane = "main" }) {
      // the scripted deliveries are encodes: the light lane has none
      for (const [i, delivery] of lane === "main" ? deliveries.entries() : []) {
        const message: WorkMessage = {
          id: randomUUID(),
          ...delivery,
          ack: async () => void settled.push(`${i}:ack`),
          nak: (delayMs) => void settled.push(`${i}:nak ${delayMs}`),
          working: () => {},
          term: () => void settled.push(`${i}:term`),
        };
        yield message;
      }
      await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
    },
    depth: async () => 0,
    close: async () => {},
  };
  return { queue, settled };
}

describe("encode worker", () => {
  it("runs an attempt: ticks on the bus, milestones stored, and the message acked only after TaskCompleted", async () => {
    const { jobId, taskId } = await plannedJob();
    const memory = createMemoryWorkQueue();
    const storedAtAck: string[][] = [];
    const queue: WorkQueue = {
      ...memory,
      async *consume(options) {
        for await (const message of memory.consume(options)) {
          yield {
            ...message,
            ack: async () => {
              storedAtAck.push(await typesOf(jobId));
              await message.ack();
            },
          };
        }
      },
    };
    await dispatchAll(queue, jobId);
    await startWorker(queue);

    const encode = await encoder.nextEncode();
    expect(encode.options).toMatchObject({
      attemptId: "1",
      workDir: join(dir, "scratch", jobId, taskId, "1"),
    });
    expect(encode.options.stallTimeoutMs).toBeUndefined(); // the plugin's own default (60 s)
    encode.options.onProgress?.({ pct: 30, outTimeSec: 0.6, fps: 30, speed: 1, etaSeconds: 1 });
    encode.options.onProgress?.({ pct: 80, outTimeSec: 1.6, fps: 30, speed: 1, etaSeconds: 0.4 });
    await encode.succeed("bytes");
    await waitFor("the ack", async () => storedAtAck[0]);

    const events = await eventsOf(jobId);
    expect(events.map((e) => e.type).slice(4)).toEqual([
      "TaskStarted",
      "TaskProgressed",
      "TaskProgressed",
      "TaskCompleted",
      "JobUploadingStarted",
    ]);
    expect(events.filter((e) => e.type === "TaskProgressed").map((e) => e.data.milestonePct)).toEqual([
      25, 75,
    ]);
    expect(events.find((e) => e.type === "TaskCompleted")?.data).toEqual({
      taskId,
      attempt: 1,
      // named by its content
      outputKey: `work/${jobId}/${taskId}/${createHash("sha256").update("bytes").digest("hex")}.mp4`,
      sizeBytes: 5,
      checksum: `sha256:${createHash("sha256").update("bytes").digest("hex")}`,
      durationSec: 2,
    });
    expect(storedAtAck[0]).toContain("TaskCompleted");
    // the output went into the job storage under the recorded key, and nothing stays in the scratch folder
    const named = `${createHash("sha256").update("bytes").digest("hex")}.mp4`;
    expect(await readFile(join(dir, "storage", "work", jobId, taskId, named), "utf8")).toBe("bytes");
    await waitFor("the scratch folder to empty", async () =>
      (await readdir(join(dir, "scratch"))).length === 0 ? true : undefined,
    );
    expect(await memory.depth()).toBe(0);
    expect(bus.ticks.map((t) => t.pct)).toEqual([0, 30, 80]);
    expect(bus.ticks[1]).toMatchObject({ jobId, taskId, attempt: 1, workerId: "w-a", fps: 30 });
    // the actor of what the worker stored is the worker itself
    expect(events.find((e) => e.type === "TaskStarted")?.metadata.actor).toEqual({
      userId: "worker:w-a",
      role: "system",
    });
  });

  it("fences a stale attempt: a result that lost its lease is refused and its output removed", async () => {
    const { jobId, taskId } = await plannedJob();
    const queue = createMemoryWorkQueue();
    await dispatchAll(queue, jobId);
    await startWorker(queue);
    const encode = await encoder.nextEncode();
    await eventOfType(jobId, "TaskStarted");

    // Meanwhile the attempt's lease ran out and another worker released it: attempt 2 is scheduled.
    const released = await executeJobCommand(
      deps(),
      jobId,
      {
        type: "FailTask",
        data: {
          taskId,
          attempt: 1,
          exitClass: "transient",
          message: "worker lost",
          stderrTail: "",
          now: new Date().toISOString(),
        },
      },
      context,
    );
    expect(released._tag).toBe("Executed");

    // The first worker finishes after all: its result must not count, nor its file stay around.
    const path = await encode.succeed();
    await waitFor("the stale message to be settled", async () =>
      (await queue.depth()) === 1 ? true : undefined,
    );
    await waitFor(
      "the stale output to go",
      async () =>
        (await access(path).then(
          () => false,
          () => true,
        )) || undefined,
    );
    await waitFor("the stored copy to go", async () =>
      existsSync(join(dir, "storage", "work", jobId, taskId, "1.mp4")) ? undefined : true,
    );
    const types = await typesOf(jobId);
    expect(types).not.toContain("TaskCompleted");
    expect(types.slice(-3)).toEqual(["TaskFailed", "TaskRetryScheduled", "TaskScheduled"]);
  });

  it("releases an attempt whose lease came back from a lost worker, and puts back a first delivery", async () => {
    const { jobId, taskId } = await plannedJob();
    // A worker that started attempt 1 and was never heard of again.
    await executeJobCommand(
      deps(),
      jobId,
      { type: "StartTask", data: { taskId, attempt: 1, workerId: "w-gone" } },
      context,
    );
    const payload = { job_id: jobId, task_id: taskId, attempt: 1 };
    const { queue, settled } = scriptedQueue([
      { payload, deliveryCount: 1 },
      { payload, deliveryCount: 2 },
    ]);
    await startWorker(queue, "w-b");
    await waitFor("both messages settled", async () => (settled.length === 2 ? settled : undefined));

    expect(settled).toEqual(["0:nak 5000", "1:ack"]);
    const events = await eventsOf(jobId);
    const failed = events.filter((e) => e.type === "TaskFailed");
    expect(failed).toHaveLength(1);
    expect(failed[0]?.data).toMatchObject({ attempt: 1, exitClass: "transient" });
    expect(String(failed[0]?.data.message)).toMatch(/^worker lost/);
    expect(events.at(-1)).toMatchObject({ type: "TaskScheduled", data: { taskId, attempt: 2 } });
  });

  it("runs an attempt once when a copy of its message comes on its other lane while it runs", async () => {
    const { jobId, taskId } = await plannedJob();
    const queue = createMemoryWorkQueue();
    await dispatchAll(queue, jobId);
    await startWorker(queue);
    const encode = await encoder.nextEncode();
    await queue.publish({
      id: randomUUID(),
      payload: { job_id: jobId, task_id: taskId, attempt: 1 },
      lane: "light",
    });
    // the copy is acknowledged at once; only the running attempt's own message is still held
    await waitFor("the copy dropped", async () => ((await queue.depth()) === 1 ? true : undefined), 2_000);
    const second = Promise.race([encoder.nextEncode(), new Promise((r) => setTimeout(r, 300, null))]);
    expect(await second).toBeNull();
    await encode.succeed("bytes");
    await eventOfType(jobId, "TaskCompleted");
    expect((await typesOf(jobId)).filter((t) => t === "TaskStarted")).toHaveLength(1);
  });

  it("drops messages of stale attempts and ended jobs without encoding", async () => {
    const { jobId, taskId } = await plannedJob();
    await executeJobCommand(deps(), jobId, { type: "CancelJob", data: { reason: "test" } }, context);
    const other = await plannedJob();
    const { queue, settled } = scriptedQueue([
      { payload: { job_id: jobId, task_id: taskId, attempt: 1 }, deliveryCount: 1 },
      { payload: { job_id: other.jobId, task_id: other.taskId, attempt: 7 }, deliveryCount: 1 },
      { payload: { job_id: randomUUID(), task_id: randomUUID(), attempt: 1 }, deliveryCount: 1 },
      { payload: { nonsense: true }, deliveryCount: 1 },
    ]);
    await startWorker(queue);
    await waitFor("every message settled", async () => (settled.length === 4 ? settled : undefined));
    expect(settled).toEqual(["0:ack", "1:ack", "2:ack", "3:term"]);
    expect(await typesOf(jobId)).not.toContain("TaskStarted");
    expect(await typesOf(other.jobId)).not.toContain("TaskStarted");
  });

  it("fails a stalled encode as retryable and a corrupt input for good", async () => {
    const queue = createMemoryWorkQueue();
    await startWorker(queue);

    const stalled = await plannedJob();
    await dispatchAll(queue, stalled.jobId);
    (await encoder.nextEncode()).fail({
      exitClass: "stalled",
      message: "no progress for 60000 ms",
      stderrTail: "frame=  10",
    });
    const retry = await eventOfType(stalled.jobId, "TaskRetryScheduled");
    expect(retry.data).toMatchObject({ nextAttempt: 2, delayMs: 5_000 });
    const failed = (await eventsOf(stalled.jobId)).find((e) => e.type === "TaskFailed");
    expect(failed?.data).toMatchObject({ exitClass: "stalled", stderrTail: "frame=  10" });

    const corrupt = await plannedJob();
    await dispatchAll(queue, corrupt.jobId);
    (await encoder.nextEncode()).fail({ exitClass: "input", message: "invalid data", stderrTail: "" });
    const jobFailed = await eventOfType(corrupt.jobId, "JobFailed");
    expect(jobFailed.data).toMatchObject({ code: "WE-JOB-007" });
    expect((await typesOf(corrupt.jobId)).filter((t) => t === "TaskScheduled")).toHaveLength(1);
  });

  it("aborts the encode when the job is cancelled and acks without a result", async () => {
    const { jobId } = await plannedJob();
    const queue = createMemoryWorkQueue();
    await dispatchAll(queue, jobId);
    await startWorker(queue);
    const encode = await encoder.nextEncode();
    const aborted = new Promise((resolve) => encode.options.signal?.addEventListener("abort", resolve));
    await executeJobCommand(deps(), jobId, { type: "CancelJob", data: {} }, context);
    await aborted;
    await waitFor("the ack", async () => ((await queue.depth()) === 0 ? true : undefined));
    expect((await typesOf(jobId)).slice(-2)).toEqual(["TaskStarted", "JobCancelled"]);
  });

  it("records its start with proven encoders, and on stop fails the running attempt as transient", async () => {
    const { jobId } = await plannedJob();
    const queue = createMemoryWorkQueue();
    await dispatchAll(queue, jobId);
    const worker = await startWorker(queue);
    await encoder.nextEncode();
    expect(worker.current()).toMatchObject({ jobId, attempt: 1 });
    await worker.stop();

    const failed = (await eventsOf(jobId)).find((e) => e.type === "TaskFailed");
    expect(failed?.data).toMatchObject({
      exitClass: "transient",
      message: "worker w-a stopped during the encode",
    });
    expect((await typesOf(jobId)).at(-1)).toBe("TaskScheduled");
    const runs: RecordedEvent[] = await store.readStream("worker-w-a");
    expect(runs.map((e) => e.type)).toEqual(["WorkerStarted", "WorkerStopped"]);
    expect(runs[0]?.data).toMatchObject({
      workerId: "w-a",
      pid: process.pid,
      capabilities: { encoders: [{ name: "libx264", codec: "h264", hardware: false }] },
    });
  });
});
