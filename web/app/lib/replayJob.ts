// The job as it was after a given event: a fold of its own events, run in the browser. It mirrors only
// what the timeline shows (status, progress, tasks), not the whole decider.
import type { LoggedEvent } from "./apiTypes.ts";

export interface ReplayedTask {
  task_id: string;
  sequence_index: number;
  status: "scheduled" | "running" | "completed" | "failed" | "pending";
  attempt: number;
  progress_pct: number;
}

export interface ReplayedJob {
  status: string;
  progress_pct: number;
  tasks: ReplayedTask[];
  error: string | null;
}

const initial: ReplayedJob = { status: "queued", progress_pct: 0, tasks: [], error: null };

const str = (value: unknown) => (typeof value === "string" ? value : "");
const num = (value: unknown) => (typeof value === "number" ? value : 0);

function withTask(job: ReplayedJob, taskId: string, change: Partial<ReplayedTask>): ReplayedJob {
  const tasks = job.tasks.map((task) => (task.task_id === taskId ? { ...task, ...change } : task));
  const done = tasks.reduce((sum, task) => sum + (task.status === "completed" ? 100 : task.progress_pct), 0);
  const progress = tasks.length > 0 ? Math.floor(done / tasks.length) : job.progress_pct;
  const running = tasks.some((task) => task.status === "running" || task.status === "completed");
  return {
    ...job,
    tasks,
    progress_pct: Math.max(job.progress_pct, progress),
    status: job.status === "queued" && running ? "processing" : job.status,
  };
}

export function evolveJob(job: ReplayedJob, event: LoggedEvent): ReplayedJob {
  const data = event.data ?? {};
  switch (event.type) {
    case "JobPlanned": {
      const planned = Array.isArray(data.tasks) ? (data.tasks as Array<Record<string, unknown>>) : [];
      return {
        ...job,
        tasks: planned.map((task) => ({
          task_id: str(task.task_id),
          sequence_index: num(task.sequence_index),
          status: "pending",
          attempt: 0,
          progress_pct: 0,
        })),
      };
    }
    case "TaskScheduled":
      return withTask(job, str(data.task_id), { status: "scheduled", attempt: num(data.attempt) });
    case "TaskStarted":
      return withTask(job, str(data.task_id), {
        status: "running",
        attempt: num(data.attempt),
        progress_pct: 0,
      });
    case "TaskProgressed":
      return withTask(job, str(data.task_id), { progress_pct: num(data.milestone_pct) });
    case "TaskCompleted":
      return withTask(job, str(data.task_id), { status: "completed", progress_pct: 100 });
    case "TaskFailed":
      return withTask(job, str(data.task_id), { status: "failed" });
    case "JobStitchingStarted":
      return { ...job, status: "stitching" };
    case "JobUploadingStarted":
      return { ...job, status: "uploading" };
    case "JobCompleted":
      return { ...job, status: "completed", progress_pct: 100 };
    case "JobFailed":
      return { ...job, status: "failed", error: `${str(data.code)} ${str(data.message)}`.trim() };
    case "JobCancelled":
      return { ...job, status: "cancelled" };
    case "JobDeleted":
      return { ...job, status: "deleted" };
    default:
      return job;
  }
}

/** The job after the first `count` events (count 0: before anything happened). */
export const replayJob = (events: readonly LoggedEvent[], count: number): ReplayedJob =>
  events.slice(0, count).reduce(evolveJob, initial);
