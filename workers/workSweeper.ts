// Removes a job's work folder (`work/<jobId>` under the storage root: every attempt's output) once
// the job is cancelled or deleted, so cancelled encodes do not fill the disk. A completed job's folder
// goes when its output is published; a failed job's stays for an operator to look at.
import { rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import type pg from "pg";
import type { EventStore, RecordedEvent } from "../domain/ports/eventStore.ts";
import type { RetryPolicy } from "../infra/processors/retryBounded.ts";
import { type Reactor, runReactor } from "./reactorCheckpoint.ts";
import { silentLog, type WorkerLog } from "./workerLog.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface WorkSweeperDeps {
  storageRoot: string;
  log?: WorkerLog;
}

export function startWorkSweeper(
  deps: WorkSweeperDeps & { store: EventStore; pool: pg.Pool; schema: string; retry?: RetryPolicy },
): Reactor {
  return runReactor({
    name: "work-sweeper",
    store: deps.store,
    pool: deps.pool,
    schema: deps.schema,
    filter: { streamPrefixes: ["job-"], eventTypes: ["JobCancelled", "JobDeleted"] },
    handle: (event) => sweepWork(deps, event),
    retry: deps.retry,
    log: deps.log,
  });
}

export async function sweepWork(deps: WorkSweeperDeps, event: RecordedEvent): Promise<void> {
  const jobId = event.streamId.slice("job-".length);
  // the folder name comes from the stream id: only ever a job id, never a path
  if (!UUID.test(jobId)) return;
  const folder = join(resolve(deps.storageRoot), "work", jobId);
  await rm(folder, { recursive: true, force: true });
  (deps.log ?? silentLog)(
    "info",
    `work sweeper: removed the work folder of ${event.type === "JobDeleted" ? "deleted" : "cancelled"} job ${jobId}`,
  );
}
