// A job with one task that a worker has started: submitted, probed, planned, attempt 1 running.
import { randomUUID } from "node:crypto";
import type { JobCommand } from "../../domain/job/commands.ts";
import { type CommandContext, executeJobCommand } from "../../domain/job/executeJobCommand.ts";
import type { EventStore } from "../../domain/ports/eventStore.ts";
import { sourceInfoFixture } from "../../workers/createFakeEncoder.ts";
import { sourceMetadataOf } from "../../workers/jobPlanner.ts";
import { taskIdOf } from "../../workers/taskIdOf.ts";

export async function startedOneTaskJob(store: EventStore, context: CommandContext, profileId = "p") {
  const deps = { store, newId: randomUUID, now: () => new Date() };
  const jobId = randomUUID();
  const taskId = taskIdOf(jobId, 0);
  const submitted = {
    jobId,
    userId: "u",
    sourceType: "upload" as const,
    sourceUrl: "fs://a.mp4",
    profileId,
    outputConfig: {},
  };
  const run = async (command: JobCommand) => {
    const result = await executeJobCommand(deps, jobId, command, context);
    if (result._tag === "JobRejected") throw new Error(`${command.type}: ${result.message}`);
  };
  await run({ type: "SubmitJob", data: submitted });
  await run({ type: "RecordProbe", data: sourceMetadataOf(sourceInfoFixture("a"), 1) });
  await run({
    type: "PlanJob",
    data: { tasks: [{ taskId, sequenceIndex: 0, startTimeSec: 0, endTimeSec: 2 }] },
  });
  await run({ type: "StartTask", data: { taskId, attempt: 1, workerId: "w" } });
  return { deps, jobId, taskId };
}
