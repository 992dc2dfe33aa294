// Publishes a job's output once its encode (or its stitch) is done: that output in the job storage is streamed to
// `outputs/<jobId>/<jobId>_final.mp4` through the storage provider (a put is atomic: the final key never
// shows a partial object), its size and sha256 checked against what TaskCompleted recorded, and the job
// is completed; then the job's work prefix is deleted.
import { finalOutputKey, jobOutputsFolder, jobWorkFolder } from "../../domain/job/jobFileKeys.ts";
import { finalTask } from "../../domain/job/jobState.ts";
import type { RecordedEvent } from "../../domain/ports/eventStore.ts";
import type { JobCommands } from "../../domain/ports/jobCommands.ts";
import type { ReactorDefinition } from "../../domain/ports/reactor.ts";
import { deletePrefix } from "../../plugins/sdk/deletePrefix.ts";
import type { MediaStorage } from "../../plugins/sdk/mediaStorage.ts";
import { sha256OfStream } from "../../plugins/sdk/sha256OfStream.ts";
import {
  isStorageFailure,
  type StorageFailure,
  type StorageProvider,
} from "../../plugins/sdk/storageProvider.ts";
import type { ErrorCode } from "../../schemas/errors.ts";
import type { JobOutput } from "../../schemas/events/jobEvents.ts";
import { jobStream } from "../../schemas/events/streamNames.ts";
import { contextOfEvent } from "../reactionContext.ts";
import { silentLog, type WorkerLog } from "../workerLog.ts";
import { failJobOfEvent } from "./failJobOfEvent.ts";

export interface OutputPublisherDeps {
  jobs: JobCommands;
  storage: Pick<MediaStorage, "jobs">;
  log?: WorkerLog;
}

/** The job storage failed on its side (unavailable, full): the runner tries the event again. */
export class JobStorageUnavailable extends Error {
  override name = "JobStorageUnavailable";
}

const unavailable = (jobId: string, failure: StorageFailure) =>
  new JobStorageUnavailable(`output publisher: job ${jobId}: ${failure.message} ${failure.hint}`);

export function outputPublisher(deps: OutputPublisherDeps): ReactorDefinition {
  return {
    name: "output-publisher",
    filter: { streamPrefixes: [jobStream.prefix], eventTypes: ["JobUploadingStarted"] },
    handle: (event) => publishJobOutput(deps, event),
    onPoison: failJobOfEvent(deps.jobs, "output publisher"),
  };
}

/** Idempotent: a redelivered event finds the output already in place (and checked) and completes the job. */
export async function publishJobOutput(deps: OutputPublisherDeps, event: RecordedEvent): Promise<void> {
  const log = deps.log ?? silentLog;
  const jobId = jobStream.idOf(event.streamId);
  const { state: job } = await deps.jobs.load(jobId);
  if (job.status !== "uploading" || job.deleted) return;
  // A split job's output is its stitch's; any other job's, its only task's.
  const task = finalTask(job);
  if (!task || task.outputKey === null || task.checksum === null || task.sizeBytes === null) {
    log("error", `output publisher: job ${jobId} has no final task output to publish`);
    return;
  }
  const expected = { sizeBytes: task.sizeBytes, checksum: task.checksum };
  const jobs = deps.storage.jobs;
  const key = finalOutputKey(jobId);
  // the recorded key comes from a worker: only ever one in this job's own work folder
  if (!task.outputKey.startsWith(`${jobWorkFolder(jobId)}/`)) {
    const message = `task output ${task.outputKey} lies outside the job's work folder`;
    log("error", `output publisher: job ${jobId}: ${message}`);
    await failUpload(deps, jobId, event, "WE-JOB-008", message);
    return;
  }

  const published = await holds(jobs, key, expected);
  if (isStorageFailure(published)) throw unavailable(jobId, published);
  if (!published) {
    const copied = await copyChecked(jobs, task.outputKey, key, expected);
    if (isStorageFailure(copied)) throw unavailable(jobId, copied);
    if (copied._tag === "NotAsRecorded") {
      // Missing or altered since it was verified: never publish it. The job fails, and the work
      // folder stays for an operator to look at.
      const message = `task output ${task.outputKey} is missing or was altered after it was verified`;
      log("error", `output publisher: job ${jobId}: ${message}`);
      await failUpload(deps, jobId, event, "WE-STO-001", message);
      return;
    }
  }

  const output: JobOutput = {
    name: `${jobId}_final.mp4`,
    type: "final",
    key,
    sizeBytes: expected.sizeBytes,
    checksum: expected.checksum,
    profile: job.profileId,
  };
  const result = await deps.jobs.execute(
    jobId,
    { type: "CompleteUpload", data: { outputs: [output] } },
    contextOfEvent(event),
  );
  if (result._tag === "JobRejected") {
    log("info", `output publisher: job ${jobId} refused CompleteUpload (${result.code}): ${result.message}`);
    // deleted while its output was being copied: the work sweeper may already have passed by
    if (!(await deps.jobs.isLive(jobId))) await sweep(jobs, jobId, jobOutputsFolder(jobId));
    return;
  }
  await sweep(jobs, jobId, jobWorkFolder(jobId));
}

async function sweep(jobs: StorageProvider, jobId: string, prefix: string): Promise<void> {
  const swept = await deletePrefix(jobs, prefix);
  if (isStorageFailure(swept)) throw unavailable(jobId, swept);
}

async function failUpload(
  deps: OutputPublisherDeps,
  jobId: string,
  event: RecordedEvent,
  code: ErrorCode,
  message: string,
) {
  const result = await deps.jobs.execute(
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

/** Whether `key` holds the recorded bytes (size, then sha256 of a full read); a storage failure is not a no. */
async function holds(
  jobs: StorageProvider,
  key: string,
  expected: Expected,
): Promise<boolean | StorageFailure> {
  const head = await jobs.head({ key });
  if (isStorageFailure(head)) return head.reason === "not_found" ? false : head;
  if (head.sizeBytes !== expected.sizeBytes) return false;
  const got = await jobs.get({ key });
  if (isStorageFailure(got)) return got.reason === "not_found" ? false : got;
  const hashed = await sha256OfStream(got.body);
  return hashed.sizeBytes === expected.sizeBytes && hashed.checksum === expected.checksum;
}

/**
 * Streams `from` into `to`; the provider hashes what it stored, so the copy is checked against the
 * record in the same pass. A copy that does not match is deleted again, before anyone is told of it.
 */
async function copyChecked(
  jobs: StorageProvider,
  from: string,
  to: string,
  expected: Expected,
): Promise<{ _tag: "Copied" } | { _tag: "NotAsRecorded" } | StorageFailure> {
  const source = await jobs.get({ key: from });
  if (isStorageFailure(source)) {
    // a key the storage refuses was never a verified output
    const gone = source.reason === "not_found" || source.reason === "invalid_key";
    return gone ? { _tag: "NotAsRecorded" } : source;
  }
  if (source.metadata.sizeBytes !== expected.sizeBytes) {
    source.body.destroy();
    return { _tag: "NotAsRecorded" };
  }
  const stored = await jobs.put({ key: to }, source.body, { contentType: "video/mp4" });
  if (isStorageFailure(stored)) return stored;
  if (stored.sizeBytes === expected.sizeBytes && stored.checksum === expected.checksum)
    return { _tag: "Copied" };
  const removed = await jobs.delete({ key: to });
  return isStorageFailure(removed) ? removed : { _tag: "NotAsRecorded" };
}
