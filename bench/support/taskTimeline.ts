// Benchmarks only: a job's tasks on its own clock, from its events.
import type { RecordedEvent } from "../../domain/ports/eventStore.ts";

const at = (event: RecordedEvent) => Date.parse(event.metadata.occurredAt as string);

/**
 * Each task's line on the job's clock (seconds from JobSubmitted): when it was scheduled, started and
 * completed, and on which worker; the gaps between one task's end and the next start on a worker are
 * the queue's pick-up latency, the rest of the critical path is the tasks themselves.
 */
export function taskTimeline(events: readonly RecordedEvent[]): string[] {
  const submitted = events.find((e) => e.type === "JobSubmitted");
  const t0 = submitted === undefined ? 0 : at(submitted);
  const planned = events.find((e) => e.type === "JobPlanned")?.data as
    | {
        tasks: {
          taskId: string;
          kind?: string;
          rendition?: string;
          startTimeSec: number;
          endTimeSec: number;
        }[];
      }
    | undefined;
  const rows = new Map<
    string,
    { scheduled?: number; started?: number; completed?: number; worker?: string; measureSec?: number }
  >();
  for (const event of events) {
    const data = event.data as { taskId?: string; workerId?: string };
    if (data.taskId === undefined) continue;
    const row = rows.get(data.taskId) ?? {};
    const t = (at(event) - t0) / 1000;
    if (event.type === "TaskScheduled") row.scheduled = t;
    if (event.type === "TaskStarted") {
      row.started = t;
      if (data.workerId !== undefined) row.worker = data.workerId;
    }
    if (event.type === "TaskCompleted") {
      row.completed = t;
      const measureMs = (event.data as { edgeSsim?: { measureMs: number } }).edgeSsim?.measureMs;
      if (measureMs !== undefined) row.measureSec = measureMs / 1000;
    }
    rows.set(data.taskId, row);
  }
  const s = (value: number | undefined) => (value === undefined ? "    -" : value.toFixed(2).padStart(6));
  const lines = [
    `  planned at ${s(planned === undefined ? undefined : (at(events.find((e) => e.type === "JobPlanned")!) - t0) / 1000)} s; task       range (s)       scheduled started completed worker`,
  ];
  for (const task of planned?.tasks ?? []) {
    const row = rows.get(task.taskId) ?? {};
    const range = `${task.startTimeSec.toFixed(2)}–${task.endTimeSec.toFixed(2)}`.padEnd(15);
    lines.push(
      `    ${`${task.kind ?? "video"}${task.rendition === undefined ? "" : ` ${task.rendition}`}`.padEnd(13)} ${range} ${s(row.scheduled)}  ${s(row.started)}  ${s(row.completed)}  ${row.worker ?? "-"}${row.measureSec === undefined ? "" : `  (its seam sides: ${row.measureSec.toFixed(2)} s)`}`,
    );
  }
  const publishing = events.find((e) => e.type === "JobUploadingStarted");
  if (publishing !== undefined) lines.push(`  outputs publishing from ${s((at(publishing) - t0) / 1000)} s`);
  const done = events.find((e) => e.type === "JobCompleted");
  if (done !== undefined) lines.push(`  job completed at ${s((at(done) - t0) / 1000)} s`);
  return lines;
}
