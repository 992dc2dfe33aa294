// Finishes a retry. POST /v1/jobs/{id}/retry records JobRetried on the old job and submits the new one,
// two appends; should the process die between them, the old job would point at a job that was never
// submitted. This reactor submits the new job for every JobRetried it sees. A repeat of the same
// retry is accepted as a no-op, so the API's own submit and this one never make two jobs.
import type pg from "pg";
import { executeJobCommand, loadJob } from "../../domain/job/executeJobCommand.ts";
import type { EventStore, RecordedEvent } from "../../domain/ports/eventStore.ts";
import type { RetryPolicy } from "../../infra/processors/retryBounded.ts";
import { eventMetadataSchema } from "../../schemas/events/eventMetadata.ts";
import { jobStream } from "../../schemas/events/streamNames.ts";
import { contextOfEvent } from "../reactionContext.ts";
import { type Reactor, runReactor } from "../reactorCheckpoint.ts";
import { silentLog, type WorkerLog } from "../workerLog.ts";

export interface RetrySubmitterDeps {
  store: EventStore;
  newId: () => string;
  now: () => Date;
  log?: WorkerLog;
}

export function startRetrySubmitter(
  deps: RetrySubmitterDeps & { pool: pg.Pool; schema: string; retry?: RetryPolicy },
): Reactor {
  return runReactor({
    name: "retry-submitter",
    store: deps.store,
    pool: deps.pool,
    schema: deps.schema,
    filter: { streamPrefixes: [jobStream.prefix], eventTypes: ["JobRetried"] },
    handle: (event) => submitRetry(deps, event),
    retry: deps.retry,
    log: deps.log,
  });
}

export async function submitRetry(deps: RetrySubmitterDeps, event: RecordedEvent): Promise<void> {
  const log = deps.log ?? silentLog;
  const oldJobId = jobStream.idOf(event.streamId);
  const newJobId = (event.data as { newJobId?: unknown }).newJobId;
  if (typeof newJobId !== "string") return;
  const { state: old } = await loadJob(deps.store, oldJobId);
  if (old.status === "initial") return;
  // the new job belongs to whoever asked for the retry
  const metadata = eventMetadataSchema.safeParse(event.metadata);
  const actor = metadata.success ? metadata.data.actor : { userId: old.userId, role: "system" as const };
  const result = await executeJobCommand(
    deps,
    newJobId,
    {
      type: "SubmitJob",
      data: {
        jobId: newJobId,
        userId: actor.userId,
        sourceType: old.sourceType,
        sourceUrl: old.sourceUrl,
        profileId: old.profileId,
        outputConfig: old.outputConfig,
        retryOf: oldJobId,
      },
    },
    contextOfEvent(event, actor),
  );
  if (result._tag === "JobRejected") {
    log("info", `retry submitter: job ${newJobId} refused SubmitJob (${result.code}): ${result.message}`);
  }
}
