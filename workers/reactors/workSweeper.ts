// Removes what a job leaves in storage once nobody needs it: its work folder (every attempt's output)
// when it is cancelled or deleted, and its published outputs and keys when it is deleted. A completed job's work
// folder goes when its output is published; a failed job's is kept for a while (failedWorkSweeper.ts).
import { isJobId, jobKeysFolder, jobOutputsFolder, jobWorkFolder } from "../../domain/job/jobFileKeys.ts";
import type { RecordedEvent } from "../../domain/ports/eventStore.ts";
import type { ReactorDefinition } from "../../domain/ports/reactor.ts";
import { deletePrefix } from "../../plugins/sdk/deletePrefix.ts";
import type { MediaStorage } from "../../plugins/sdk/mediaStorage.ts";
import { isStorageFailure } from "../../plugins/sdk/storageProvider.ts";
import { jobStream } from "../../schemas/events/streamNames.ts";
import { silentLog, type WorkerLog } from "../workerLog.ts";

export interface WorkSweeperDeps {
  storage: Pick<MediaStorage, "jobs">;
  log?: WorkerLog;
}

export function workSweeper(deps: WorkSweeperDeps): ReactorDefinition {
  return {
    name: "work-sweeper",
    filter: { streamPrefixes: [jobStream.prefix], eventTypes: ["JobCancelled", "JobDeleted"] },
    handle: (event) => sweepWork(deps, event),
  };
}

export async function sweepWork(deps: WorkSweeperDeps, event: RecordedEvent): Promise<void> {
  const jobId = jobStream.idOf(event.streamId);
  // the folder names come from the stream id: only ever a job id, never a path
  if (!isJobId(jobId)) return;
  const deleted = event.type === "JobDeleted";
  const folders = deleted
    ? [jobWorkFolder(jobId), jobOutputsFolder(jobId), jobKeysFolder(jobId)]
    : [jobWorkFolder(jobId)];
  for (const folder of folders) {
    const swept = await deletePrefix(deps.storage.jobs, folder);
    // the runner tries the event again: a job's files are never left behind for good
    if (isStorageFailure(swept))
      throw new Error(`work sweeper: job ${jobId}: ${swept.message} ${swept.hint}`);
  }
  (deps.log ?? silentLog)(
    "info",
    deleted
      ? `work sweeper: removed the work folder and outputs of deleted job ${jobId}`
      : `work sweeper: removed the work folder of cancelled job ${jobId}`,
  );
}
