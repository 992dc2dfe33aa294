import type { RecordedEvent } from "../../domain/ports/eventStore.ts";
import type { JobCommands } from "../../domain/ports/jobCommands.ts";
import type { ReactorDefinition } from "../../domain/ports/reactor.ts";
import { eventMetadataSchema } from "../../schemas/events/eventMetadata.ts";
import { jobStream } from "../../schemas/events/streamNames.ts";
import { contextOfEvent } from "../reactionContext.ts";
import { silentLog, type WorkerLog } from "../workerLog.ts";

export interface RetrySubmitterDeps {
  jobs: JobCommands;
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
  const { state: old } = await deps.jobs.load(oldJobId);
  if (old.status === "initial") return;
  // the new job belongs to whoever asked for the retry
  const metadata = eventMetadataSchema.safeParse(event.metadata);
  const actor = metadata.success ? metadata.data.actor : { userId: old.userId, role: "system" as const };
  const result = await deps.jobs.execute(
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
        ...(old.preferGpu === undefined ? {} : { preferGpu: old.preferGpu }),
        ...(old.profile === undefined ? {} : { profile: old.profile }),
      },
    },
    contextOfEvent(event, actor),
  );
  if (result._tag === "JobRejected") {
    log("info", `retry submitter: job ${newJobId} refused SubmitJob (${result.code}): ${result.message}`);
  }
}
