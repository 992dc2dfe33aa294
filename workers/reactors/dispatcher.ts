import type { RecordedEvent } from "../../domain/ports/eventStore.ts";
import type { JobCommands } from "../../domain/ports/jobCommands.ts";
import type { ReactorDefinition } from "../../domain/ports/reactor.ts";
import type { WorkQueue } from "../../domain/ports/workQueue.ts";
import { parseStoredEvent } from "../../schemas/events/parseStoredEvent.ts";
import { jobStream } from "../../schemas/events/streamNames.ts";
import type { TaskMessage } from "../taskMessage.ts";
import { silentLog, type WorkerLog } from "../workerLog.ts";
import { failJobOfEvent } from "./failJobOfEvent.ts";

export interface DispatcherDeps {
  jobs: JobCommands;
  queue: WorkQueue;
  log?: WorkerLog;
}

export function dispatcher(deps: DispatcherDeps): ReactorDefinition {
  return {
    name: "dispatcher",
    filter: { streamPrefixes: [jobStream.prefix], eventTypes: ["TaskScheduled"] },
    handle: (event) => dispatchScheduledTask(deps, event),
    // a queue that does not answer is no fault of the task: keep trying without giving up on it
    dependenciesHealthy: () => deps.queue.depth().then(() => true),
    onPoison: failJobOfEvent(deps.jobs, "dispatcher"),
  };
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
  const { taskId, attempt, notBefore, avoidWorkers } = parsed.event.data;
  const payload: TaskMessage = {
    job_id: jobStream.idOf(event.streamId),
    task_id: taskId,
    attempt,
    correlation_id: parsed.metadata.correlationId,
    ...(avoidWorkers === undefined ? {} : { avoid_workers: avoidWorkers }),
  };
  await deps.queue.publish({
    id: event.id,
    payload,
    ...(notBefore === undefined ? {} : { notBefore: new Date(notBefore) }),
  });
}
