import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { executeJobCommand } from "../../commands/jobs/executeJobCommand.ts";
import { createMemoryEventStore } from "../../infra/eventstore/memory/memoryEventStore.ts";
import { createMemoryWorkQueue } from "../../infra/queue/memory/memoryWorkQueue.ts";
import { currentSchemaVersion } from "../../schemas/events/currentSchemaVersion.ts";
import { jobStream } from "../../schemas/events/streamNames.ts";
import { startedOneTaskJob } from "../../test/support/startedJob.ts";
import { reactionContext } from "../reactionContext.ts";
import { dispatchScheduledTask, laneOfTask } from "./dispatcher.ts";

describe("dispatcher", () => {
  it("sends encodes to the main lane and the light work (audio, thumbnails, subtitles, stitch, package) beside them", async () => {
    const queue = createMemoryWorkQueue();
    const jobId = randomUUID();
    const kinds = ["video", "audio", "thumbnails", "subtitles", "stitch", "package", undefined] as const;
    const events = kinds.map((kind, revision) => ({
      id: randomUUID(),
      type: "TaskScheduled",
      data: { taskId: randomUUID(), attempt: 1, ...(kind === undefined ? {} : { kind }) },
      metadata: {
        ...reactionContext({ id: randomUUID() }),
        occurredAt: new Date().toISOString(),
        schemaVersion: currentSchemaVersion("TaskScheduled"),
      },
      streamId: jobStream.name(jobId),
      revision,
      position: revision + 1,
      checkpoint: String(revision + 1),
      createdAt: new Date(),
    }));
    for (const event of events) await dispatchScheduledTask({ queue }, event);
    const taken = async (lane: "main" | "light", count: number) => {
      const controller = new AbortController();
      const ids: string[] = [];
      for await (const message of queue.consume({ signal: controller.signal, lane })) {
        ids.push(message.payload.task_id as string);
        await message.ack();
        if (ids.length === count) break;
      }
      return ids;
    };
    const taskOf = (i: number) => events[i]!.data.taskId;
    // a task scheduled before the kind was recorded is an encode
    expect(await taken("main", 2)).toEqual([taskOf(0), taskOf(6)]);
    expect(await taken("light", 5)).toEqual([1, 2, 3, 4, 5].map(taskOf));
    expect(await queue.depth()).toBe(0);
    expect(laneOfTask("video")).toBe("main");
    await queue.close();
  });

  it("publishes each TaskScheduled once under its event id, not before its retry time", async () => {
    const store = createMemoryEventStore();
    const queue = createMemoryWorkQueue();
    const context = reactionContext({ id: randomUUID() });
    const { deps, jobId, taskId } = await startedOneTaskJob(store, context);
    const failed = {
      taskId,
      attempt: 1,
      exitClass: "transient" as const,
      message: "x",
      stderrTail: "",
      now: new Date().toISOString(),
    };
    await executeJobCommand(deps, jobId, { type: "FailTask", data: failed }, context);

    const scheduled = (await store.readStream(jobStream.name(jobId))).filter(
      (e) => e.type === "TaskScheduled",
    );
    expect(scheduled).toHaveLength(2);
    for (const event of [...scheduled, ...scheduled]) await dispatchScheduledTask({ queue }, event);
    expect(await queue.depth()).toBe(2);

    const controller = new AbortController();
    const taken = [];
    for await (const message of queue.consume({ signal: controller.signal })) {
      taken.push(message);
      await message.ack();
      break;
    }
    expect(taken[0]).toMatchObject({
      id: scheduled[0]?.id,
      payload: { job_id: jobId, task_id: taskId, attempt: 1, correlation_id: context.correlationId },
    });
    // attempt 2 waits for its not-before, 5 s after the failure
    const early = await Promise.race([
      (async () => {
        for await (const message of queue.consume({ signal: controller.signal })) return message;
      })(),
      new Promise((resolve) => setTimeout(() => resolve("still deferred"), 300)),
    ]);
    controller.abort();
    expect(early).toBe("still deferred");
    await queue.close();
  });

  it("tells workers which of them an attempt should avoid after it ran out of memory there", async () => {
    const store = createMemoryEventStore();
    const queue = createMemoryWorkQueue();
    const context = reactionContext({ id: randomUUID() });
    const { deps, jobId, taskId } = await startedOneTaskJob(store, context);
    // the failure happened a minute ago, so the retry is due at once
    const failed = {
      taskId,
      attempt: 1,
      exitClass: "oom" as const,
      message: "killed",
      stderrTail: "",
      now: new Date(Date.now() - 60_000).toISOString(),
    };
    await executeJobCommand(deps, jobId, { type: "FailTask", data: failed }, context);
    const retry = (await store.readStream(jobStream.name(jobId))).filter(
      (e) => e.type === "TaskScheduled",
    )[1];
    await dispatchScheduledTask({ queue }, retry!);

    const controller = new AbortController();
    for await (const message of queue.consume({ signal: controller.signal })) {
      expect(message.payload).toMatchObject({
        job_id: jobId,
        task_id: taskId,
        attempt: 2,
        avoid_workers: ["w"],
      });
      await message.ack();
      break;
    }
    controller.abort();
    await queue.close();
  });
});
