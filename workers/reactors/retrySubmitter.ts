import { executeJobCommand, loadJob } from "../../domain/job/executeJobCommand.ts";
import type { EventStore, RecordedEvent } from "../../domain/ports/eventStore.ts";
import type { ReactorDefinition } from "../../domain/ports/reactor.ts";
import { eventMetadataSchema } from "../../schemas/events/eventMetadata.ts";
import { jobStream } from "../../schemas/events/streamNames.ts";
import { contextOfEvent } from "../reactionContext.ts";
import { silentLog, type WorkerLog } from "../workerLog.ts";

export interface RetrySubmitterDeps {
  store: EventStore;
  newId: () => string;
  now: () => Date;
  log?: WorkerLog;
}

export function retrySubmitter(deps: RetrySubmitterDeps): ReactorDefinition {
  return {
    name: "retry-submitter",
    filter: { streamPrefixes: [jobStream.prefix], eventTypes: ["JobRetried"] },
    handle: (event) => submitRetry(deps, event),
  };
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
