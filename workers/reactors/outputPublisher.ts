// Publishes a job's output once its encode is done: the verified task output is checked against what
// TaskCompleted recorded, moved to `outputs/<jobId>/<jobId>_final.mp4` (rename, or copy then rename
// across filesystems, so the final name never shows a partial file) and the job is completed.
import { randomUUID } from "node:crypto";
import { copyFile, mkdir, rename, rm, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { executeJobCommand, jobIsLive, loadJob } from "../../domain/job/executeJobCommand.ts";
import { finalOutputKey, jobOutputsFolder, jobWorkFolder } from "../../domain/job/jobFileKeys.ts";
import type { EventStore, RecordedEvent } from "../../domain/ports/eventStore.ts";
import type { ReactorDefinition } from "../../domain/ports/reactor.ts";
import { sha256File } from "../../plugins/sdk/sha256File.ts";
import { isInsideDirectory } from "../../plugins/sdk/sources/isInsideDirectory.ts";
import type { ErrorCode } from "../../schemas/errors.ts";
import type { JobOutput } from "../../schemas/events/jobEvents.ts";
import { jobStream } from "../../schemas/events/streamNames.ts";
import { contextOfEvent } from "../reactionContext.ts";
import { silentLog, type WorkerLog } from "../workerLog.ts";
import { failJobOfEvent } from "./failJobOfEvent.ts";

export interface OutputPublisherDeps {
  store: EventStore;
  storageRoot: string;
  newId: () => string;
  now: () => Date;
  log?: WorkerLog;
}

export function outputPublisher(deps: OutputPublisherDeps): ReactorDefinition {
  return {
    name: "output-publisher",
    filter: { streamPrefixes: [jobStream.prefix], eventTypes: ["JobUploadingStarted"] },
    handle: (event) => publishJobOutput(deps, event),
    onPoison: failJobOfEvent(deps, "output publisher"),
  };
}

/** Idempotent: a redelivered event finds the output already in place (and checked) and completes the job. */
export async function publishJobOutput(deps: OutputPublisherDeps, event: RecordedEvent): Promise<void> {
  const log = deps.log ?? silentLog;
  const jobId = jobStream.idOf(event.streamId);
  const { state: job } = await loadJob(deps.store, jobId);
  if (job.status !== "uploading" || job.deleted) return;
  const [task, ...more] = job.tasks;
  if (
    !task ||
    more.length > 0 ||
    task.outputKey === null ||
    task.checksum === null ||
    task.sizeBytes === null
  ) {
    // Several tasks are stitched into one output first; that output is not published here yet.
    log("error", `output publisher: job ${jobId} has no single task output to publish`);
    return;
  }
  const expected = { sizeBytes: task.sizeBytes, checksum: task.checksum };
  const root = resolve(deps.storageRoot);
  const source = resolve(root, task.outputKey);
  const key = finalOutputKey(jobId);
  const target = join(root, key);
  if (!isInsideDirectory(root, source)) {
    const message = `task output ${task.outputKey} lies outside the storage root`;
    log("error", `output publisher: job ${jobId}: ${message}`);
    await failUpload(deps, jobId, event, "WE-JOB-008", message);
    return;
  }

  if (!(await holds(target, expected))) {
    if (!(await holds(source, expected))) {
      // Missing or altered since it was verified: never publish it. The job fails, and the work
      // directory stays for an operator to look at.
      const message = `task output ${task.outputKey} is missing or was altered after it was verified`;
      log("error", `output publisher: job ${jobId}: ${message}`);
      await failUpload(deps, jobId, event, "WE-STO-001", message);
      return;
    }
    await moveInto(source, target, expected);
  }

  const output: JobOutput = {
    name: `${jobId}_final.mp4`,
    type: "final",
    key,
    sizeBytes: expected.sizeBytes,
    checksum: expected.checksum,
    profile: job.profileId,
  };
  const result = await executeJobCommand(
    deps,
    jobId,
    { type: "CompleteUpload", data: { outputs: [output] } },
    contextOfEvent(event),
  );
  if (result._tag === "JobRejected") {
    log("info", `output publisher: job ${jobId} refused CompleteUpload (${result.code}): ${result.message}`);
    // deleted while its output was being moved: the work sweeper may already have passed by
    if (!(await jobIsLive(deps.store, jobId)))
      await rm(join(root, jobOutputsFolder(jobId)), { recursive: true, force: true });
    return;
  }
  await rm(join(root, jobWorkFolder(jobId)), { recursive: true, force: true });
}

async function failUpload(
  deps: OutputPublisherDeps,
  jobId: string,
  event: RecordedEvent,
  code: ErrorCode,
  message: string,
) {
  const result = await executeJobCommand(
    deps,
    jobId,
    { type: "FailUpload", data: { code, message } },
    contextOfEvent(event),
  );
  if (result._tag === "JobRejected") {
    (deps.log ?? silentLog)(
      "info",
      `output publisher: job ${jobId} refused FailUpload (${result.code}): ${result.message}`,
    );
  }
}

interface Expected {
  sizeBytes: number;
  checksum: string;
}

/** The file exists with the recorded size and checksum. */
async function holds(path: string, expected: Expected): Promise<boolean> {
  try {
    const info = await stat(path);
    if (!info.isFile() || info.size !== expected.sizeBytes) return false;
  } catch {
    return false;
  }
  return (await sha256File(path)) === expected.checksum;
}

async function moveInto(source: string, target: string, expected: Expected): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  try {
    await rename(source, target);
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EXDEV") throw error;
  }
  // Another filesystem: copy beside the target, check the copy, then give it the final name.
  const partial = `${target}.${randomUUID()}.partial`;
  try {
    await copyFile(source, partial);
    if (!(await holds(partial, expected)))
      throw new Error(`the copy of ${source} does not match its checksum`);
    await rename(partial, target);
  } finally {
    await rm(partial, { force: true });
  }
  await rm(source, { force: true });
}
