// Folds job events into read-model rows. Pure: the rows change only from the event and its metadata.
import type { EventMetadata } from "../../schemas/events/eventMetadata.ts";
import type { JobEvent } from "../../schemas/events/jobEvents.ts";

export interface JobRow {
  id: string;
  user_id: string;
  source_type: string;
  source_url: string;
  profile_id: string;
  output_config: Record<string, unknown>;
  status: string;
  progress_pct: number;
  tasks_total: number;
  tasks_completed: number;
  error_code: string | null;
  error_message: string | null;
  assigned_to_worker_id: string | null;
  source_info: unknown;
  outputs: unknown[];
  /** A split job's stitch proof and seam figures (TaskCompleted of its stitch). */
  stitch: unknown;
  retry_of: string | null;
  retried_as: string | null;
  /** The job's prefer_gpu; null leaves the encoder to the profile. */
  prefer_gpu: boolean | null;
  deleted: boolean;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
  last_position: number;
}

export interface TaskRow {
  id: string;
  job_id: string;
  sequence_index: number;
  start_time_sec: number;
  end_time_sec: number;
  /** video (the whole source or a chunk), audio or stitch. */
  kind: string;
  rendition: string | null;
  /** The tiers a task of several renditions makes; empty for any other. */
  renditions: string[];
  /** A stitch task's proof and seam figures (its TaskCompleted's). */
  stitch: unknown;
  status: string;
  attempt_count: number;
  max_attempts: number;
  assigned_worker_id: string | null;
  progress_pct: number;
  output_key: string | null;
  output_size_bytes: number | null;
  checksum: string | null;
  not_before: string | null;
  last_error_class: string | null;
  last_error_message: string | null;
  last_stderr_tail: string | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface AttemptRow {
  id: string;
  job_id: string;
  task_id: string;
  attempt: number;
  status: string;
  worker_id: string | null;
  not_before: string | null;
  scheduled_at: string;
  started_at: string | null;
  finished_at: string | null;
  exit_class: string | null;
  error_message: string | null;
  stderr_tail: string | null;
  output_size_bytes: number | null;
}

export const attemptId = (taskId: string, attempt: number) => `${taskId}:${attempt}`;

export interface TimelineRow {
  position: number;
  job_id: string;
  revision: number;
  type: string;
  occurred_at: string;
  actor_user_id: string | null;
  actor_role: string | null;
  task_id: string | null;
  attempt: number | null;
  summary: string;
}

/** The rows a batch touches, loaded once, changed in memory, written back once. */
export interface JobRowSet {
  jobs: Map<string, JobRow>;
  tasks: Map<string, TaskRow>;
  /** Task ids by job id. */
  jobTasks: Map<string, string[]>;
  attempts: Map<string, AttemptRow>;
  timeline: TimelineRow[];
  dirtyJobs: Set<string>;
  dirtyTasks: Set<string>;
  dirtyAttempts: Set<string>;
}

export interface Located {
  jobId: string;
  position: number;
  revision: number;
}

const TERMINAL = new Set(["completed", "failed", "cancelled"]);

export function indexTasks(tasks: Iterable<TaskRow>): Map<string, string[]> {
  const index = new Map<string, string[]>();
  for (const task of tasks) index.set(task.job_id, [...(index.get(task.job_id) ?? []), task.id]);
  return index;
}

const tasksOf = (rows: JobRowSet, jobId: string) =>
  (rows.jobTasks.get(jobId) ?? []).map((id) => rows.tasks.get(id)!);

function jobProgress(rows: JobRowSet, jobId: string): number {
  const tasks = tasksOf(rows, jobId);
  if (tasks.length === 0) return 0;
  return Math.floor(tasks.reduce((sum, t) => sum + t.progress_pct, 0) / tasks.length);
}

/** What the helpers below need to know of the event being folded. */
interface Fold {
  rows: JobRowSet;
  type: string;
  jobId: string;
  now: string;
  position: number;
}

// Module-level helpers rather than closures made per event: this runs for every event of a rebuild.
/** The lowest seam delta of a stitch report; none measured counts as no seam below the mean. */
const worstSeam = (report: unknown): number => {
  const seams = (report as { seams?: { delta: number }[] } | null | undefined)?.seams ?? [];
  return seams.length === 0 ? Number.POSITIVE_INFINITY : Math.min(...seams.map((seam) => seam.delta));
};

/** Whether a ladder's job shows this stitch rather than the one it shows: the first, or a worse seam. */
const worseThan = (report: unknown, shown: unknown): boolean =>
  shown === null || shown === undefined || worstSeam(report) < worstSeam(shown);

function touchJob(f: Fold, change: Partial<JobRow>) {
  const job = f.rows.jobs.get(f.jobId);
  if (!job) throw new Error(`${f.type} for job ${f.jobId} before JobSubmitted`);
  Object.assign(job, change);
  job.updated_at = f.now;
  job.last_position = f.position;
  f.rows.dirtyJobs.add(job.id);
}

function touchTask(f: Fold, taskId: string, change: Partial<TaskRow>): TaskRow {
  const task = f.rows.tasks.get(taskId);
  if (!task) throw new Error(`${f.type} for unknown task ${taskId} of job ${f.jobId}`);
  Object.assign(task, change);
  task.updated_at = f.now;
  f.rows.dirtyTasks.add(taskId);
  return task;
}

function touchAttempt(f: Fold, taskId: string, attempt: number, change: Partial<AttemptRow>) {
  const id = attemptId(taskId, attempt);
  const row = f.rows.attempts.get(id);
  if (!row) throw new Error(`${f.type} for unknown attempt ${attempt} of task ${taskId}`);
  Object.assign(row, change);
  f.rows.dirtyAttempts.add(id);
}

export function applyJobEvent(rows: JobRowSet, event: JobEvent, metadata: EventMetadata, at: Located): void {
  const now = metadata.occurredAt;
  const job = rows.jobs.get(at.jobId);
  const f: Fold = { rows, type: event.type, jobId: at.jobId, now, position: at.position };
  let summary: string = event.type;
  let taskId: string | null = null;
  let attempt: number | null = null;

  // a switch, not ts-pattern: this runs for every event of a rebuild, and the matcher cost more than
  // the fold itself. `never` below still breaks the build when an event type is added.
  switch (event.type) {
    case "JobSubmitted": {
      const { data } = event;
      rows.jobs.set(at.jobId, {
        id: at.jobId,
        user_id: data.userId,
        source_type: data.sourceType,
        source_url: data.sourceUrl,
        profile_id: data.profileId,
        output_config: data.outputConfig,
        status: "queued",
        progress_pct: 0,
        tasks_total: 0,
        tasks_completed: 0,
        error_code: null,
        error_message: null,
        assigned_to_worker_id: null,
        source_info: null,
        stitch: null,
        outputs: [],
        retry_of: data.retryOf ?? null,
        retried_as: null,
        prefer_gpu: data.preferGpu ?? null,
        deleted: false,
        created_at: now,
        updated_at: now,
        started_at: null,
        finished_at: null,
        last_position: at.position,
      });
      rows.dirtyJobs.add(at.jobId);
      summary = `submitted ${data.sourceUrl} with profile ${data.profileId}`;
      break;
    }
    case "JobSourceProbed": {
      const { data } = event;
      touchJob(f, { source_info: data });
      summary = `probed source: ${data.durationSec.toFixed(2)} s`;
      break;
    }
    case "JobPlanned": {
      const { data } = event;
      for (const task of data.tasks) {
        rows.tasks.set(task.taskId, {
          id: task.taskId,
          job_id: at.jobId,
          sequence_index: task.sequenceIndex,
          start_time_sec: task.startTimeSec,
          end_time_sec: task.endTimeSec,
          kind: task.kind ?? "video",
          rendition: task.rendition ?? null,
          renditions: task.renditions ?? [],
          stitch: null,
          status: "pending",
          attempt_count: 0,
          max_attempts: data.maxAttempts,
          assigned_worker_id: null,
          progress_pct: 0,
          output_key: null,
          output_size_bytes: null,
          checksum: null,
          not_before: null,
          last_error_class: null,
          last_error_message: null,
          last_stderr_tail: null,
          created_at: now,
          updated_at: now,
          started_at: null,
          finished_at: null,
        });
        rows.dirtyTasks.add(task.taskId);
      }
      rows.jobTasks.set(
        at.jobId,
        data.tasks.map((t) => t.taskId),
      );
      touchJob(f, { tasks_total: data.tasks.length });
      summary = `planned ${data.tasks.length} task${data.tasks.length === 1 ? "" : "s"}`;
      break;
    }
    case "TaskScheduled": {
      const { data } = event;
      ({ taskId, attempt } = data);
      touchTask(f, data.taskId, {
        status: "scheduled",
        attempt_count: data.attempt,
        not_before: data.notBefore ?? null,
        assigned_worker_id: null,
        progress_pct: 0,
      });
      touchJob(f, { progress_pct: jobProgress(rows, at.jobId) });
      const id = attemptId(data.taskId, data.attempt);
      rows.attempts.set(id, {
        id,
        job_id: at.jobId,
        task_id: data.taskId,
        attempt: data.attempt,
        status: "scheduled",
        worker_id: null,
        not_before: data.notBefore ?? null,
        scheduled_at: now,
        started_at: null,
        finished_at: null,
        exit_class: null,
        error_message: null,
        stderr_tail: null,
        output_size_bytes: null,
      });
      rows.dirtyAttempts.add(id);
      summary = `task scheduled (attempt ${data.attempt})`;
      break;
    }
    case "TaskStarted": {
      const { data } = event;
      ({ taskId, attempt } = data);
      const task = touchTask(f, data.taskId, { status: "running", assigned_worker_id: data.workerId });
      task.started_at ??= now;
      touchJob(f, {
        status: "processing",
        assigned_to_worker_id: data.workerId,
        started_at: job?.started_at ?? now,
      });
      touchAttempt(f, data.taskId, data.attempt, {
        status: "running",
        worker_id: data.workerId,
        started_at: now,
      });
      summary = `task started on ${data.workerId} (attempt ${data.attempt})`;
      break;
    }
    case "TaskProgressed": {
      const { data } = event;
      ({ taskId, attempt } = data);
      touchTask(f, data.taskId, { progress_pct: data.milestonePct });
      touchJob(f, { progress_pct: jobProgress(rows, at.jobId) });
      summary = `task reached ${data.milestonePct} %`;
      break;
    }
    case "TaskCompleted": {
      const { data } = event;
      ({ taskId, attempt } = data);
      touchTask(f, data.taskId, {
        status: "completed",
        progress_pct: 100,
        output_key: data.outputKey,
        output_size_bytes: data.sizeBytes,
        checksum: data.checksum,
        finished_at: now,
        ...(data.stitch === undefined ? {} : { stitch: data.stitch }),
      });
      touchJob(f, {
        tasks_completed: (job?.tasks_completed ?? 0) + 1,
        progress_pct: jobProgress(rows, at.jobId),
        ...(data.stitch === undefined || !worseThan(data.stitch, job?.stitch) ? {} : { stitch: data.stitch }),
      });
      touchAttempt(f, data.taskId, data.attempt, {
        status: "completed",
        finished_at: now,
        output_size_bytes: data.sizeBytes,
      });
      summary = `task completed: ${data.sizeBytes} bytes`;
      break;
    }
    case "TaskFailed": {
      const { data } = event;
      ({ taskId, attempt } = data);
      touchTask(f, data.taskId, {
        status: "failed",
        last_error_class: data.exitClass,
        last_error_message: data.message,
        last_stderr_tail: data.stderrTail,
      });
      touchAttempt(f, data.taskId, data.attempt, {
        status: "failed",
        finished_at: now,
        exit_class: data.exitClass,
        error_message: data.message,
        stderr_tail: data.stderrTail,
      });
      summary = `task failed (${data.exitClass}): ${data.message}`;
      break;
    }
    case "TaskRetryScheduled": {
      const { data } = event;
      taskId = data.taskId;
      attempt = data.nextAttempt;
      touchTask(f, data.taskId, { not_before: data.notBefore });
      summary = `retry ${data.nextAttempt} in ${Math.round(data.delayMs / 1000)} s`;
      break;
    }
    case "JobStitchingStarted": {
      touchJob(f, { status: "stitching" });
      summary = "stitching";
      break;
    }
    case "JobUploadingStarted": {
      touchJob(f, { status: "uploading" });
      summary = "uploading";
      break;
    }
    case "JobCompleted": {
      const { data } = event;
      touchJob(f, { status: "completed", progress_pct: 100, outputs: data.outputs, finished_at: now });
      summary = `completed with ${data.outputs.length} output${data.outputs.length === 1 ? "" : "s"}`;
      break;
    }
    case "JobFailed": {
      const { data } = event;
      touchJob(f, { status: "failed", error_code: data.code, error_message: data.message, finished_at: now });
      summary = `failed: ${data.code} ${data.message}`;
      break;
    }
    case "JobCancelled": {
      const { data } = event;
      touchJob(f, { status: "cancelled", finished_at: now });
      for (const task of tasksOf(rows, at.jobId)) {
        if (!TERMINAL.has(task.status)) {
          touchTask(f, task.id, { status: "cancelled" });
          const current = rows.attempts.get(attemptId(task.id, task.attempt_count));
          if (current && (current.status === "scheduled" || current.status === "running")) {
            touchAttempt(f, task.id, task.attempt_count, { status: "cancelled", finished_at: now });
          }
        }
      }
      summary = data.reason ? `cancelled: ${data.reason}` : "cancelled";
      break;
    }
    case "JobRetried": {
      const { data } = event;
      touchJob(f, { retried_as: data.newJobId });
      summary = `retried as ${data.newJobId}`;
      break;
    }
    case "JobDeleted": {
      touchJob(f, { deleted: true });
      summary = "deleted";
      break;
    }
    default: {
      const unknown: never = event;
      throw new Error(`unhandled event ${(unknown as JobEvent).type}`);
    }
  }

  rows.timeline.push({
    position: at.position,
    job_id: at.jobId,
    revision: at.revision,
    type: event.type,
    occurred_at: now,
    actor_user_id: metadata.actor.userId,
    actor_role: metadata.actor.role,
    task_id: taskId,
    attempt,
    summary,
  });
}
