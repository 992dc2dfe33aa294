// Publishes a job's outputs once its tasks are done (domain/job/publication.ts says which and where): each
// recorded file in the job storage is streamed to `outputs/<jobId>/…` through the storage provider (a put is
// atomic: an output key never shows a partial object), its size and sha256 checked against what its
// TaskCompleted recorded; a package's segments are copied as a folder and checked by count and total size.
// Then the job is completed and its work prefix deleted.
import { jobOutputsFolder, jobWorkFolder } from "../../domain/job/jobFileKeys.ts";
import { type PublishedFolder, planPublication } from "../../domain/job/publication.ts";
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
  const publication = planPublication(job);
  if (publication._tag === "NothingToPublish") {
    log("error", `output publisher: job ${jobId}: ${publication.problem}`);
    if (publication.problem.includes("outside"))
      await failUpload(deps, jobId, event, "WE-JOB-008", publication.problem);
    return;
  }
  const jobs = deps.storage.jobs;
  for (const file of publication.files) {
    const expected = { sizeBytes: file.sizeBytes, checksum: file.checksum };
    const published = await holds(jobs, file.to, expected);
    if (isStorageFailure(published)) throw unavailable(jobId, published);
    if (published) continue;
    const copied = await copyChecked(jobs, file.from, file.to, expected);
    if (isStorageFailure(copied)) throw unavailable(jobId, copied);
    if (copied._tag === "NotAsRecorded") {
      // Missing or altered since it was verified: never publish it. The job fails, and the work
      // folder stays for an operator to look at.
      const message = `task output ${file.from} is missing or was altered after it was verified`;
      log("error", `output publisher: job ${jobId}: ${message}`);
      await failUpload(deps, jobId, event, "WE-STO-001", message);
      return;
    }
  }
  for (const folder of publication.folders) {
    const copied = await copyFolder(jobs, folder);
    if (isStorageFailure(copied)) throw unavailable(jobId, copied);
    if (copied._tag === "NotAsRecorded") {
      const message = `the files under ${folder.from} differ from what their task recorded (${copied.found})`;
      log("error", `output publisher: job ${jobId}: ${message}`);
      await failUpload(deps, jobId, event, "WE-STO-001", message);
      return;
    }
  }
  const outputs = publication.files.map(
    (file): JobOutput => ({
      name: file.name,
      type: file.type,
      key: file.to,
      sizeBytes: file.sizeBytes,
      checksum: file.checksum,
      profile: job.profileId,
    }),
  );
  const result = await deps.jobs.execute(
    jobId,
    { type: "CompleteUpload", data: { outputs } },
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
  const stored = await jobs.put({ key: to }, source.body, { contentType: contentTypeOf(to) });
  if (isStorageFailure(stored)) return stored;
  if (stored.sizeBytes === expected.sizeBytes && stored.checksum === expected.checksum)
    return { _tag: "Copied" };
  const removed = await jobs.delete({ key: to });
  return isStorageFailure(removed) ? removed : { _tag: "NotAsRecorded" };
}

const contentTypes: Record<string, string> = {
  ".m3u8": "application/vnd.apple.mpegurl",
  ".mpd": "application/dash+xml",
  ".m4s": "video/iso.segment",
  ".mp4": "video/mp4",
  ".m4a": "audio/mp4",
  ".mkv": "video/x-matroska",
  ".webm": "video/webm",
  ".vtt": "text/vtt",
  ".srt": "application/x-subrip",
  ".jpg": "image/jpeg",
};
const contentTypeOf = (key: string) =>
  contentTypes[key.slice(key.lastIndexOf(".")).toLowerCase()] ?? "application/octet-stream";

/**
 * Copies every object under `folder.from` to the same place under `folder.to` (those already there with
 * the same size are kept: a redelivery after a crash), then checks the copy's count and total size
 * against what the task recorded.
 */
async function copyFolder(
  jobs: StorageProvider,
  folder: PublishedFolder,
): Promise<{ _tag: "Copied" } | { _tag: "NotAsRecorded"; found: string } | StorageFailure> {
  let fileCount = 0;
  let sizeBytes = 0;
  let continuationToken: string | undefined;
  do {
    const page = await jobs.list({
      prefix: folder.from,
      ...(continuationToken === undefined ? {} : { continuationToken }),
    });
    if (isStorageFailure(page)) return page;
    for (const object of page.objects) {
      const to = `${folder.to}${object.key.slice(folder.from.length)}`;
      const head = await jobs.head({ key: to });
      if (isStorageFailure(head) && head.reason !== "not_found") return head;
      if (isStorageFailure(head) || head.sizeBytes !== object.sizeBytes) {
        const source = await jobs.get({ key: object.key });
        if (isStorageFailure(source)) return source;
        const stored = await jobs.put({ key: to }, source.body, { contentType: contentTypeOf(to) });
        if (isStorageFailure(stored)) return stored;
        if (stored.sizeBytes !== object.sizeBytes)
          return { _tag: "NotAsRecorded", found: `${to} changed while copied` };
      }
      fileCount += 1;
      sizeBytes += object.sizeBytes;
    }
    continuationToken = page.nextContinuationToken ?? undefined;
  } while (continuationToken !== undefined);
  return fileCount === folder.fileCount && sizeBytes === folder.sizeBytes
    ? { _tag: "Copied" }
    : {
        _tag: "NotAsRecorded",
        found: `${fileCount} files of ${sizeBytes} bytes, recorded ${folder.fileCount} of ${folder.sizeBytes}`,
      };
}
