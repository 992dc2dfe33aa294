// Tells each worker's aggregate how the task attempts it held ended, so that one failing them again and
// again is quarantined (the worker decider counts; see domain/worker/quarantinePolicy.ts) and takes no
// new work until an admin lifts it. Which worker held an attempt is what the job's state said just
// before the attempt ended.

import { foldJob } from "../../domain/job/jobDecider.ts";
import type { EventStore, RecordedEvent } from "../../domain/ports/eventStore.ts";
import type { ReactorDefinition } from "../../domain/ports/reactor.ts";
import type { WorkerCommands } from "../../domain/ports/workerCommands.ts";
import { quarantinePolicy } from "../../domain/worker/quarantinePolicy.ts";
import type { JobEvent } from "../../schemas/events/jobEvents.ts";
import { parseStoredEvent } from "../../schemas/events/parseStoredEvent.ts";
import { jobStream } from "../../schemas/events/streamNames.ts";
import { contextOfEvent } from "../reactionContext.ts";
import { silentLog, type WorkerLog } from "../workerLog.ts";

export interface WorkerQuarantineDeps {
  /** Where the job's events are read when the attempt's start was not seen by this run. */
  store: Pick<EventStore, "readStream">;
  workers: WorkerCommands;
  log?: WorkerLog;
}

/** Attempts seen starting, by job, task and attempt; more than this and the oldest are forgotten. */
const REMEMBERED_STARTS = 10_000;

export function workerQuarantine(deps: WorkerQuarantineDeps): ReactorDefinition {
  // The holder of an attempt, from its TaskStarted: spares reading the job's stream at its end.
  const heldBy = new Map<string, string>();
  return {
    name: "worker-quarantine",
    filter: {
      streamPrefixes: [jobStream.prefix],
      eventTypes: ["TaskStarted", "TaskFailed", "TaskCompleted"],
    },
    // what workers did before this reactor first ran is no reason to quarantine them now
    startAt: "end",
    handle: (event) => recordAttemptOutcome(deps, heldBy, event),
  };
}

async function recordAttemptOutcome(
  deps: WorkerQuarantineDeps,
  heldBy: Map<string, string>,
  recorded: RecordedEvent,
): Promise<void> {
  const log = deps.log ?? silentLog;
  const parsed = parseStoredEvent(recorded);
  if (parsed._tag !== "Parsed") return;
  const { event, metadata } = parsed;
  const jobId = jobStream.idOf(recorded.streamId);
  if (event.type === "TaskStarted") {
    const { taskId, attempt, workerId } = event.data;
    heldBy.set(quarantinePolicy.attemptKey({ jobId, taskId, attempt }), workerId);
    if (heldBy.size > REMEMBERED_STARTS) heldBy.delete(heldBy.keys().next().value ?? "");
    return;
  }
  if (event.type !== "TaskFailed" && event.type !== "TaskCompleted") return;
  const { taskId, attempt } = event.data;
  const key = quarantinePolicy.attemptKey({ jobId, taskId, attempt });
  const workerId = heldBy.get(key) ?? (await holderBefore(deps.store, recorded, taskId, attempt));
  heldBy.delete(key);
  // an attempt whose lease ran out before any worker started it was held by nobody
  if (workerId === null) return;
  const context = contextOfEvent(recorded);
  const result = await deps.workers.execute(
    event.type === "TaskFailed"
      ? {
          type: "RecordAttemptFailure",
          data: {
            workerId,
            jobId,
            taskId,
            attempt,
            exitClass: event.data.exitClass,
            failedAt: metadata.occurredAt,
          },
        }
      : { type: "RecordAttemptSuccess", data: { workerId, jobId, taskId, attempt } },
    context,
  );
  if (result._tag === "WorkerRejected") {
    log(
      "info",
      `worker quarantine: worker ${workerId} refused the outcome of job ${jobId} (${result.code}): ${result.message}`,
    );
    return;
  }
  for (const appended of result.events) {
    if (appended.type === "WorkerQuarantined")
      log(
        "warn",
        `worker ${workerId} quarantined: ${appended.data.reason}; lift it with POST /v1/workers/${workerId}/unquarantine`,
      );
  }
}

/** The worker the job's state named for the attempt just before `ended`, if the attempt had started. */
async function holderBefore(
  store: Pick<EventStore, "readStream">,
  ended: RecordedEvent,
  taskId: string,
  attempt: number,
): Promise<string | null> {
  const before: JobEvent[] = [];
  for (const recorded of await store.readStream(ended.streamId)) {
    if (recorded.revision >= ended.revision) break;
    const parsed = parseStoredEvent(recorded);
    if (parsed._tag === "Parsed") before.push(parsed.event);
  }
  const job = foldJob(before);
  const task = job.status === "initial" ? undefined : job.tasks.find((t) => t.taskId === taskId);
  return task?.status === "running" && task.attempt === attempt ? task.workerId : null;
}
