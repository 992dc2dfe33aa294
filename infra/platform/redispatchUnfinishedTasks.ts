// The in-process queue of `webencode up` does not outlive the process. After a restart (a crash, a
// kill -9), tasks the log still shows as scheduled or running are dispatched again: a worker then
// either starts a scheduled attempt, or finds a running attempt whose worker is gone and releases it
// (the decider schedules the next attempt). Distributed mode needs none of this: NATS keeps messages.
import type pg from "pg";
import type { EventStore } from "../../domain/ports/eventStore.ts";
import type { WorkQueue } from "../../domain/ports/workQueue.ts";
import { jobStream } from "../../schemas/events/streamNames.ts";
import { dispatchScheduledTask } from "../../workers/reactors/dispatcher.ts";

export async function redispatchUnfinishedTasks(
  store: EventStore,
  pool: pg.Pool,
  schema: string,
  queue: WorkQueue,
): Promise<number> {
  const { rows } = await pool.query<{ job_id: string; task_id: string }>(
    `select t.job_id, t.id as task_id
       from "${schema}".job_tasks t join "${schema}".jobs j on j.id = t.job_id
      where j.status in ('queued', 'processing') and t.status in ('scheduled', 'running')`,
  );
  let dispatched = 0;
  for (const { job_id, task_id } of rows) {
    const events = await store.readStream(jobStream.name(job_id), { direction: "backwards" });
    const scheduled = events.find(
      (e) => e.type === "TaskScheduled" && (e.data as { taskId?: string }).taskId === task_id,
    );
    if (!scheduled) continue;
    await dispatchScheduledTask({ queue }, scheduled);
    dispatched++;
  }
  return dispatched;
}
