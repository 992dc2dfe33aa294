import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createJobCommands } from "../../commands/jobs/createJobCommands.ts";
import { executeJobCommand } from "../../commands/jobs/executeJobCommand.ts";
import type { JobCommand } from "../../domain/job/commands.ts";
import type { EventStore } from "../../domain/ports/eventStore.ts";
import type { WorkQueue } from "../../domain/ports/workQueue.ts";
import { createMemoryEventStore } from "../../infra/eventstore/memory/memoryEventStore.ts";
import { createMemoryWorkQueue } from "../../infra/queue/memory/memoryWorkQueue.ts";
import { builtInProfiles } from "../../plugins/encoder-ffmpeg/builtInProfiles.ts";
import { jobStream } from "../../schemas/events/streamNames.ts";
import {
  createFakeEncoder,
  type FakeEncoder,
  sourceInfoFixture,
} from "../../test/support/createFakeEncoder.ts";
import { createRecordingProgressBus } from "../../test/support/createRecordingProgressBus.ts";
import { type FsMediaStorage, fsMediaStorage } from "../../test/support/fsMediaStorage.ts";
import { reactionContext } from "../reactionContext.ts";
import { dispatchScheduledTask } from "../reactors/dispatcher.ts";
import { sourceMetadataOf } from "../reactors/jobPlanner.ts";
import { taskIdOf } from "../taskIdOf.ts";
import type { TaskMessage } from "../taskMessage.ts";
import { AVOIDED_DELIVERIES, AVOIDED_RETRY_MS, avoidsThisWorker } from "./avoidsThisWorker.ts";
import { type EncodeWorker, startEncodeWorker } from "./encodeWorker.ts";

const message = (avoid_workers?: string[]): TaskMessage => ({
  job_id: randomUUID(),
  task_id: randomUUID(),
  attempt: 2,
  ...(avoid_workers === undefined ? {} : { avoid_workers }),
});

describe("avoidsThisWorker", () => {
  it("hands back an attempt that avoids this worker, and only this one", () => {
    expect(avoidsThisWorker(message(["w-a"]), 1, "w-a")).toBe(true);
    expect(avoidsThisWorker(message(["w-a"]), 1, "w-b")).toBe(false);
    expect(avoidsThisWorker(message(), 1, "w-a")).toBe(false);
    // a worker whose id merely starts like an avoided one is not avoided
    expect(avoidsThisWorker(message(["w-a"]), 1, "w-a-2")).toBe(false);
  });

  it("takes the attempt after all once it came back so often that no other worker can be free", () => {
    expect(avoidsThisWorker(message(["w-a"]), AVOIDED_DELIVERIES, "w-a")).toBe(true);
    expect(avoidsThisWorker(message(["w-a"]), AVOIDED_DELIVERIES + 1, "w-a")).toBe(false);
  });
});

describe("an attempt that ran out of memory, retried by encode workers", () => {
  let dir: string;
  let store: EventStore;
  let encoder: FakeEncoder;
  let storage: FsMediaStorage;
  let queue: WorkQueue;
  const workers: EncodeWorker[] = [];
  const deps = () => ({ store, newId: randomUUID, now: () => new Date() });
  const context = reactionContext({ id: randomUUID() });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "avoids-this-worker-"));
    await writeFile(join(dir, "clip.mp4"), "not really a video; the fake encoder does not care");
    store = createMemoryEventStore();
    encoder = createFakeEncoder();
    storage = await fsMediaStorage({ mediaRoot: dir, storageRoot: join(dir, "storage") });
    queue = createMemoryWorkQueue();
  });
  afterEach(async () => {
    for (const worker of workers.splice(0)) await worker.stop();
    await queue.close();
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  });

  const startWorker = async (workerId: string) => {
    const worker = await startEncodeWorker({
      workerId,
      jobs: createJobCommands(deps()),
      store,
      queue,
      progressBus: createRecordingProgressBus(),
      encoder,
      profiles: builtInProfiles,
      storage,
      scratchDir: join(dir, "scratch", workerId),
      ackWaitMs: 3_000,
      newId: randomUUID,
      now: () => new Date(),
    });
    workers.push(worker);
    return worker;
  };

  /** A one-task job whose first attempt ran out of memory on `oomWorker`, its retry on the queue. */
  async function retriedAfterOom(oomWorker: string) {
    const jobId = randomUUID();
    const taskId = taskIdOf(jobId, 0);
    const run = async (command: JobCommand) => {
      const result = await executeJobCommand(deps(), jobId, command, context);
      if (result._tag === "JobRejected") throw new Error(`${command.type}: ${result.message}`);
    };
    await run({
      type: "SubmitJob",
      data: {
        jobId,
        userId: "u-1",
        sourceType: "upload",
        sourceUrl: "fs://clip.mp4",
        profileId: "480p_fast",
        outputConfig: {},
      },
    });
    await run({ type: "RecordProbe", data: sourceMetadataOf(sourceInfoFixture(join(dir, "clip.mp4")), 10) });
    await run({
      type: "PlanJob",
      data: { tasks: [{ taskId, sequenceIndex: 0, startTimeSec: 0, endTimeSec: 2 }] },
    });
    await run({ type: "StartTask", data: { taskId, attempt: 1, workerId: oomWorker } });
    // failed a minute ago: the retry is due now
    const now = new Date(Date.now() - 60_000).toISOString();
    await run({
      type: "FailTask",
      data: { taskId, attempt: 1, exitClass: "oom", message: "killed", stderrTail: "", now },
    });
    const scheduled = (await store.readStream(jobStream.name(jobId))).filter(
      (e) => e.type === "TaskScheduled",
    );
    await dispatchScheduledTask({ queue }, scheduled[1]!);
    return { jobId, taskId };
  }

  const startedBy = async (jobId: string) => {
    const events = await store.readStream(jobStream.name(jobId));
    return events
      .filter((e) => e.type === "TaskStarted")
      .map((e) => [(e.data as { attempt: number }).attempt, (e.data as { workerId: string }).workerId]);
  };

  it("runs the retry on another worker, though the one that ran out of memory asks first", async () => {
    await startWorker("w-a");
    const { jobId } = await retriedAfterOom("w-a");
    const handedBack = Date.now();
    // w-a is alone for a moment: it hands the attempt back instead of starting it
    await new Promise((resolve) => setTimeout(resolve, AVOIDED_RETRY_MS / 2));
    expect(await startedBy(jobId)).toEqual([[1, "w-a"]]);
    await startWorker("w-b");
    const encode = await encoder.nextEncode();
    await encode.succeed();
    expect(await startedBy(jobId)).toEqual([
      [1, "w-a"],
      [2, "w-b"],
    ]);
    expect(Date.now() - handedBack).toBeLessThan(AVOIDED_RETRY_MS * AVOIDED_DELIVERIES);
  });

  it("runs the retry on the same worker when no other takes it", async () => {
    await startWorker("w-a");
    const { jobId } = await retriedAfterOom("w-a");
    const queued = Date.now();
    const encode = await encoder.nextEncode();
    // it waited through its hand-backs before taking the attempt itself
    expect(Date.now() - queued).toBeGreaterThanOrEqual(AVOIDED_RETRY_MS * (AVOIDED_DELIVERIES - 1));
    await encode.succeed();
    expect(await startedBy(jobId)).toEqual([
      [1, "w-a"],
      [2, "w-a"],
    ]);
  }, 20_000);
});
