// A job with one task that a worker has started (submitted, probed, planned, attempt 1 running), or
// whose task has completed and whose output waits to be published.
import { createHash, randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { executeJobCommand } from "../../commands/jobs/executeJobCommand.ts";
import type { JobCommand } from "../../domain/job/commands.ts";
import { jobWorkFolder } from "../../domain/job/jobFileKeys.ts";
import type { CommandContext } from "../../domain/ports/commandOutcome.ts";
import type { EventStore, RecordedEvent } from "../../domain/ports/eventStore.ts";
import { jobStream } from "../../schemas/events/streamNames.ts";
import { sourceMetadataOf } from "../../workers/reactors/jobPlanner.ts";
import { taskIdOf } from "../../workers/taskIdOf.ts";
import { sourceInfoFixture } from "./createFakeEncoder.ts";

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

/** A job whose one task completed with `bytes` as its output, written under `storageRoot`: now uploading. */
export async function uploadingOneTaskJob(
  store: EventStore,
  context: CommandContext,
  storageRoot: string,
  bytes: string,
): Promise<{ jobId: string; uploading: RecordedEvent; outputPath: string }> {
  const { deps, jobId, taskId } = await startedOneTaskJob(store, context, "480p_fast");
  const outputKey = `${jobWorkFolder(jobId)}/${taskId}/1.mp4`;
  const outputPath = join(storageRoot, outputKey);
  await mkdir(dirname(outputPath), { recursive: true });
  await writeFile(outputPath, bytes);
  const checksum = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
  const completed = {
    taskId,
    attempt: 1,
    outputKey,
    sizeBytes: Buffer.byteLength(bytes),
    checksum,
    durationSec: 2,
  };
  await executeJobCommand(deps, jobId, { type: "CompleteTask", data: completed }, context);
  const uploading = (await store.readStream(jobStream.name(jobId))).find(
    (e) => e.type === "JobUploadingStarted",
  );
  return { jobId, uploading: uploading!, outputPath };
}
