// The single-active dispatcher: each TaskScheduled becomes a work-queue message whose id is the event
// id, so handling the same event twice (a crash before the checkpoint moved) enqueues it once.
import type pg from "pg";
import type { EventStore, RecordedEvent } from "../../domain/ports/eventStore.ts";
import type { WorkQueue } from "../../domain/ports/workQueue.ts";
import type { RetryPolicy } from "../../infra/processors/retryBounded.ts";
import { parseStoredEvent } from "../../schemas/events/parseStoredEvent.ts";
import { jobStream } from "../../schemas/events/streamNames.ts";
import { type Reactor, runReactor } from "../reactorCheckpoint.ts";
import type { TaskMessage } from "../taskMessage.ts";
import { silentLog, type WorkerLog } from "../workerLog.ts";
import { failJobOfEvent } from "./failJobOfEvent.ts";

export interface DispatcherDeps {
  store: EventStore;
  newId: () => string;
  now: () => Date;
  queue: WorkQueue;
  pool: pg.Pool;
  schema: string;
  retry?: RetryPolicy;
  log?: WorkerLog;
}

export function startDispatcher(deps: DispatcherDeps): Reactor {
  return runReactor({
    name: "dispatcher",
    store: deps.store,
    pool: deps.pool,
    schema: deps.schema,
    filter: { streamPrefixes: [jobStream.prefix], eventTypes: ["TaskScheduled"] },
    handle: (event) => dispatchScheduledTask(deps, event),
    // a queue that does not answer is no fault of the task: keep trying without giving up on it
    dependenciesHealthy: () => deps.queue.depth().then(() => true),
    onPoison: failJobOfEvent(deps, "dispatcher"),
    retry: deps.retry,
    log: deps.log,
  });
}

export async function dispatchScheduledTask(
  deps: { queue: WorkQueue; log?: WorkerLog },
  event: RecordedEvent,
): Promise<void> {
  const parsed = parseStoredEvent(event);
  if (parsed._tag !== "Parsed" || parsed.event.type !== "TaskScheduled") {
    (deps.log ?? silentLog)(
      "error",
      `dispatcher: cannot read ${event.type} at ${event.position}: ${parsed._tag}`,
    );
    return;
  }
  const { taskId, attempt, notBefore } = parsed.event.data;
  const payload: TaskMessage = {
    job_id: jobStream.idOf(event.streamId),
    task_id: taskId,
    attempt,
    correlation_id: parsed.metadata.correlationId,
  };
  await deps.queue.publish({
    id: event.id,
    payload,
    ...(notBefore === undefined ? {} : { notBefore: new Date(notBefore) }),
  });
}
