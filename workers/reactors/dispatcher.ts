import type { RecordedEvent } from "../../domain/ports/eventStore.ts";
import type { JobCommands } from "../../domain/ports/jobCommands.ts";
import type { ReactorDefinition } from "../../domain/ports/reactor.ts";
import type { WorkLane, WorkQueue } from "../../domain/ports/workQueue.ts";
import type { TaskKind } from "../../schemas/events/jobEvents.ts";
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

/**
 * The lane a task goes to: the encodes of video one at a time per worker; the rest (one audio pass,
 * thumbnails, subtitle extraction, the stream-copy stitch, the package) beside them, so that with one
 * worker they do not wait for the whole encode and then hold the job up at its end. Tasks scheduled
 * before the kind was recorded are encodes.
 */
export const laneOfTask = (kind: TaskKind | undefined): WorkLane =>
  kind === undefined || kind === "video" ? "main" : "light";

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
  const { taskId, attempt, kind, notBefore, avoidWorkers } = parsed.event.data;
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
    lane: laneOfTask(kind),
    ...(notBefore === undefined ? {} : { notBefore: new Date(notBefore) }),
  });
}
