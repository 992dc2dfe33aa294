// Keeps a failed job's work folder (every attempt's output, for an operator to look at) for a while,
// then removes it. How long is counted from the job's JobFailed event, never from file times: a folder
// touched later, or copied, is still as old as the failure. A retry is a new job that encodes from the
// source again, so nothing in the old folder is needed by it.
import { isJobId, jobWorkFolder } from "../../domain/job/jobFileKeys.ts";
import type { EventStore } from "../../domain/ports/eventStore.ts";
import { deletePrefix } from "../../plugins/sdk/deletePrefix.ts";
import type { MediaStorage } from "../../plugins/sdk/mediaStorage.ts";
import { isStorageFailure, type StorageProvider } from "../../plugins/sdk/storageProvider.ts";
import { jobStream } from "../../schemas/events/streamNames.ts";
import { sleepUnlessAborted } from "../sleepUnlessAborted.ts";
import { silentLog, type WorkerLog } from "../workerLog.ts";

export const DEFAULT_FAILED_RETENTION_MS = 7 * 24 * 3600_000;
export const DEFAULT_SWEEP_INTERVAL_MS = 3600_000;

export interface FailedWorkSweeperDeps {
  store: EventStore;
  storage: Pick<MediaStorage, "jobs">;
  /** How long a failed job's work folder is kept after the job failed. */
  retentionMs: number;
  now: () => Date;
  log?: WorkerLog;
}

/** Removes the work folders of jobs that failed at least `retentionMs` ago; returns their job ids. */
export async function sweepFailedWork(deps: FailedWorkSweeperDeps): Promise<string[]> {
  const jobIds = await jobFolders(deps.storage.jobs);
  const cutoff = deps.now().getTime() - deps.retentionMs;
  const swept: string[] = [];
  for (const jobId of jobIds) {
    const failedAt = await failureTime(deps.store, jobId);
    if (failedAt === null || failedAt.getTime() > cutoff) continue;
    const deleted = await deletePrefix(deps.storage.jobs, jobWorkFolder(jobId));
    if (isStorageFailure(deleted)) throw new Error(`${deleted.message} ${deleted.hint}`);
    swept.push(jobId);
    (deps.log ?? silentLog)(
      "info",
      `failed-work sweeper: removed the work folder of job ${jobId}, failed at ${failedAt.toISOString()}`,
    );
  }
  return swept;
}

/** The job ids that have a work folder; only folders named after a job are ever looked at, and only as that job's. */
async function jobFolders(jobs: StorageProvider): Promise<string[]> {
  const jobIds: string[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await jobs.list({
      prefix: "work/",
      delimiter: "/",
      ...(continuationToken === undefined ? {} : { continuationToken }),
    });
    if (isStorageFailure(page)) throw new Error(`${page.message} ${page.hint}`);
    for (const prefix of page.commonPrefixes) {
      const jobId = prefix.slice("work/".length, -1);
      if (isJobId(jobId)) jobIds.push(jobId);
    }
    continuationToken = page.nextContinuationToken ?? undefined;
  } while (continuationToken !== undefined);
  return jobIds;
}

/** When the job failed (its JobFailed event's time), or null if it has not: failed is a final state. */
async function failureTime(store: EventStore, jobId: string): Promise<Date | null> {
  const failed = (await store.readStream(jobStream.name(jobId))).findLast((e) => e.type === "JobFailed");
  if (!failed) return null;
  const occurredAt = (failed.metadata as { occurredAt?: unknown }).occurredAt;
  const time = typeof occurredAt === "string" ? new Date(occurredAt) : failed.createdAt;
  return Number.isNaN(time.getTime()) ? failed.createdAt : time;
}

export interface FailedWorkSweeper {
  stop(): Promise<void>;
}

/** Sweeps at start, then every `intervalMs`. Several kernels may sweep at once: removing is idempotent. */
export function startFailedWorkSweeper(
  deps: FailedWorkSweeperDeps & { intervalMs: number },
): FailedWorkSweeper {
  const stopping = new AbortController();
  const log = deps.log ?? silentLog;
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      await sweepFailedWork(deps).catch((error: Error) =>
        log("warn", `failed-work sweeper: ${error.message}; trying again in ${deps.intervalMs} ms`),
      );
      await sleepUnlessAborted(deps.intervalMs, stopping.signal);
    }
  })();
  return {
    async stop() {
      stopping.abort();
      await loop;
    },
  };
}
