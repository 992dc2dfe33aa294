import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { executeJobCommand, jobStreamId } from "../domain/job/executeJobCommand.ts";
import { createMemoryEventStore } from "../infra/eventstore/memory/memoryEventStore.ts";
import { createMemoryWorkQueue } from "../infra/queue/memory/memoryWorkQueue.ts";
import { sourceInfoFixture } from "./createFakeEncoder.ts";
import { dispatchScheduledTask } from "./dispatcher.ts";
import { sourceMetadataOf } from "./jobPlanner.ts";
import { reactionContext } from "./reactionContext.ts";
import { taskIdOf } from "./taskIdOf.ts";

describe("dispatcher", () => {
  it("publishes each TaskScheduled once under its event id, not before its retry time", async () => {
    const store = createMemoryEventStore();
    const queue = createMemoryWorkQueue();
    const deps = { store, newId: randomUUID, now: () => new Date() };
    const context = reactionContext({ id: randomUUID() });
    const jobId = randomUUID();
    const taskId = taskIdOf(jobId, 0);
    const submitted = {
      jobId,
      userId: "u",
      sourceType: "upload" as const,
      sourceUrl: "fs://a.mp4",
      profileId: "p",
      outputConfig: {},
    };
    await executeJobCommand(deps, jobId, { type: "SubmitJob", data: submitted }, context);
    await executeJobCommand(
      deps,
      jobId,
      { type: "RecordProbe", data: sourceMetadataOf(sourceInfoFixture("a"), 1) },
      context,
    );
    await executeJobCommand(
      deps,
      jobId,
      { type: "PlanJob", data: { tasks: [{ taskId, sequenceIndex: 0, startTimeSec: 0, endTimeSec: 2 }] } },
      context,
    );
    await executeJobCommand(
      deps,
      jobId,
      { type: "StartTask", data: { taskId, attempt: 1, workerId: "w" } },
      context,
    );
    const failed = {
      taskId,
      attempt: 1,
      exitClass: "transient" as const,
      message: "x",
      stderrTail: "",
      now: new Date().toISOString(),
    };
    await executeJobCommand(deps, jobId, { type: "FailTask", data: failed }, context);

    const scheduled = (await store.readStream(jobStreamId(jobId))).filter((e) => e.type === "TaskScheduled");
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
});
