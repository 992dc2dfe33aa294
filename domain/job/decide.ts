// Decides a job command against the job's state: the events it causes, or the WE-* reason it is refused.
// Pure: ids and `now` come in the command. Redelivered commands are accepted with no events.
import { match } from "ts-pattern";
import type {
  ExitClass,
  JobEvent,
  JobEventData,
  PlannedTask,
  TaskKind,
} from "../../schemas/events/jobEvents.ts";
import type {
  CompleteTask,
  CompleteUpload,
  FailTask,
  JobCommand,
  PlanJob,
  RecordTaskProgress,
  StartTask,
} from "./commands.ts";
import { type JobRejected, jobRejected } from "./jobRejected.ts";
import { isSplit, isTerminal, type Job, type JobState, type TaskState } from "./jobState.ts";
import { longestFirst } from "./longestFirst.ts";
import { isRetryable, retryDelayMs, retryPolicy } from "./retryPolicy.ts";

export type Accepted = { _tag: "Accepted"; events: JobEvent[] };

export type JobDecision = Accepted | JobRejected;

const accepted = (...events: JobEvent[]): Accepted => ({ _tag: "Accepted", events });

const milestones = [75, 50, 25] as const;

export function decide(command: JobCommand, state: JobState): JobDecision {
  if (state.status === "initial") {
    if (command.type !== "SubmitJob") return jobRejected("WE-JOB-004", "No job exists with this id");
    const { retryOf, ...submitted } = command.data;
    return accepted({
      type: "JobSubmitted",
      data: { ...submitted, ...(retryOf === undefined ? {} : { retryOf }) },
    });
  }
  const job = state;
  if (job.deleted) return jobRejected("WE-JOB-004", `Job ${job.jobId} was deleted`);

  return match(command)
    .returnType<JobDecision>()
    .with({ type: "SubmitJob" }, ({ data }) =>
      // the same retry submitted again (by the API, then by the retry reactor, or after a crash)
      data.retryOf !== undefined && data.retryOf === job.retryOf
        ? accepted()
        : jobRejected("WE-JOB-001", `Job ${job.jobId} already exists`),
    )
    .with({ type: "RecordProbe" }, ({ data }) =>
      // The first probe wins; a redelivered probe changes nothing.
      unlessTerminal(job, () => (job.probe ? accepted() : accepted({ type: "JobSourceProbed", data }))),
    )
    .with({ type: "FailProbe" }, ({ data }) =>
      unlessTerminal(job, () =>
        job.tasksTotal > 0
          ? jobRejected("WE-JOB-001", `Job ${job.jobId} is already planned; its source was readable`)
          : accepted({ type: "JobFailed", data: { code: data.code ?? "WE-JOB-007", message: data.message } }),
      ),
    )
    .with({ type: "PlanJob" }, ({ data }) => unlessTerminal(job, () => planJob(data, job)))
    .with({ type: "StartTask" }, ({ data }) => unlessTerminal(job, () => startTask(data, job)))
    .with({ type: "RecordTaskProgress" }, ({ data }) =>
      unlessTerminal(job, () => recordTaskProgress(data, job)),
    )
    .with({ type: "CompleteTask" }, ({ data }) => unlessTerminal(job, () => completeTask(data, job)))
    .with({ type: "FailTask" }, ({ data }) => unlessTerminal(job, () => failTask(data, job)))
    .with({ type: "CompleteStitch" }, () =>
      unlessTerminal(job, () => {
        if (job.status === "stitching") return accepted({ type: "JobUploadingStarted", data: {} });
        if (job.status === "uploading" && job.tasksTotal > 1) return accepted();
        return jobRejected("WE-JOB-001", `Job ${job.jobId} is ${job.status}, not stitching`);
      }),
    )
    .with({ type: "CompleteUpload" }, ({ data }) => unlessTerminal(job, () => completeUpload(data, job)))
    .with({ type: "FailUpload" }, ({ data }) =>
      unlessTerminal(job, () =>
        job.status === "uploading"
          ? accepted({ type: "JobFailed", data: { code: data.code, message: data.message } })
          : jobRejected("WE-JOB-001", `Job ${job.jobId} is ${job.status}, not uploading`),
      ),
    )
    .with({ type: "FailJob" }, ({ data }) =>
      unlessTerminal(job, () =>
        accepted({ type: "JobFailed", data: { code: data.code, message: data.message } }),
      ),
    )
    .with({ type: "CancelJob" }, ({ data }) =>
      unlessTerminal(job, () => accepted({ type: "JobCancelled", data: reasonOf(data.reason) })),
    )
    .with({ type: "RetryJob" }, ({ data: { newJobId } }) => {
      if (newJobId === job.jobId) return jobRejected("WE-JOB-001", "A job cannot be retried as itself");
      if (job.retriedAs === newJobId) return accepted();
      return accepted(...cancelIfActive(job, `retried as ${newJobId}`), {
        type: "JobRetried",
        data: { newJobId },
      });
    })
    .with({ type: "DeleteJob" }, () =>
      accepted(...cancelIfActive(job, "deleted"), { type: "JobDeleted", data: {} }),
    )
    .exhaustive();
}

const reasonOf = (reason: string | undefined): JobEventData<"JobCancelled"> =>
  reason === undefined ? {} : { reason };

function unlessTerminal(job: Job, decideActive: () => JobDecision): JobDecision {
  return match(job.status)
    .returnType<JobDecision>()
    .with("cancelled", () => jobRejected("WE-JOB-005", `Job ${job.jobId} was cancelled`))
    .with("completed", () => jobRejected("WE-JOB-006", `Job ${job.jobId} has already completed`))
    .with("failed", () => jobRejected("WE-JOB-006", `Job ${job.jobId} has already failed`))
    .with("queued", "processing", "stitching", "uploading", decideActive)
    .exhaustive();
}

const cancelIfActive = (job: Job, reason: string): JobEvent[] =>
  isTerminal(job.status) ? [] : [{ type: "JobCancelled", data: { reason } }];

type PlanRow = Pick<PlannedTask, "taskId" | "sequenceIndex" | "startTimeSec" | "endTimeSec" | "kind">;

const planKey = (tasks: readonly PlanRow[], maxAttempts: number) =>
  JSON.stringify({
    maxAttempts,
    tasks: [...tasks]
      .sort((a, b) => a.sequenceIndex - b.sequenceIndex)
      .map(({ taskId, sequenceIndex, startTimeSec, endTimeSec, kind }) => [
        taskId,
        sequenceIndex,
        startTimeSec,
        endTimeSec,
        kind ?? "video",
      ]),
  });

function planProblem(tasks: readonly PlannedTask[], maxAttempts: number): string | null {
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) return `maxAttempts must be a positive integer`;
  if (tasks.length === 0) return "a plan needs at least one task";
  if (new Set(tasks.map((task) => task.taskId)).size !== tasks.length) return "task ids repeat";
  const indexes = new Set(tasks.map((task) => task.sequenceIndex));
  const inRange = tasks.every((task) => Number.isInteger(task.sequenceIndex) && task.sequenceIndex >= 0);
  if (!inRange || indexes.size !== tasks.length || Math.max(...indexes) !== tasks.length - 1) {
    return `sequence indexes must be 0…${tasks.length - 1}, each once`;
  }
  const empty = tasks.find((task) => !(task.endTimeSec > task.startTimeSec) || task.startTimeSec < 0);
  if (empty) return `task ${empty.taskId} covers no time`;
  return splitProblem(tasks);
}

/**
 * A plan whose tasks wait on others. Without dependencies (older plans) it is a split plan: chunks with
 * their timing, at most one audio task and one stitch task, last. With them, each names earlier tasks only
 * (so the graph has no cycle), every stitch has its target, and at most one package comes last.
 */
function splitProblem(tasks: readonly PlannedTask[]): string | null {
  if (tasks.some((task) => task.dependsOn !== undefined)) return graphProblem(tasks);
  const stitches = tasks.filter((task) => task.kind === "stitch");
  const chunks = tasks.filter((task) => task.chunk !== undefined);
  const audio = tasks.filter((task) => task.kind === "audio");
  if (stitches.length === 0) {
    return chunks.length > 0 || audio.length > 0 ? "chunks and audio tasks need a stitch task" : null;
  }
  const [stitch] = stitches;
  if (stitches.length > 1 || stitch?.stitch === undefined)
    return "a split plan has one stitch task with its target";
  if (stitch.sequenceIndex !== tasks.length - 1) return "the stitch task comes last";
  if (audio.length > 1) return "a split plan has at most one audio task";
  const video = tasks.filter((task) => (task.kind ?? "video") === "video");
  if (video.length < 2 || video.some((task) => task.chunk === undefined)) {
    return "a split plan has at least two chunks, each with its timing";
  }
  return null;
}

function graphProblem(tasks: readonly PlannedTask[]): string | null {
  const indexOf = new Map(tasks.map((task) => [task.taskId, task.sequenceIndex]));
  for (const task of tasks) {
    const dependsOn = task.dependsOn ?? [];
    if (new Set(dependsOn).size !== dependsOn.length) return `task ${task.taskId} names a dependency twice`;
    const later = dependsOn.find(
      (id) => !((indexOf.get(id) ?? Number.POSITIVE_INFINITY) < task.sequenceIndex),
    );
    if (later !== undefined) return `task ${task.taskId} depends on ${later}, which is not an earlier task`;
    if (task.kind === "stitch" && (task.stitch === undefined || dependsOn.length === 0))
      return `stitch task ${task.taskId} needs its target and the chunks it joins`;
    if (task.kind === "package" && dependsOn.length === 0)
      return `package task ${task.taskId} needs the renditions it packages`;
  }
  const packages = tasks.filter((task) => task.kind === "package");
  if (packages.length > 1) return "a plan has at most one package task";
  if (packages[0] !== undefined && packages[0].sequenceIndex !== tasks.length - 1)
    return "the package task comes last";
  return null;
}

function planJob(
  { tasks, maxAttempts = retryPolicy.defaultMaxAttempts }: PlanJob["data"],
  job: Job,
): JobDecision {
  if (job.probe === null)
    return jobRejected("WE-JOB-001", `The source of job ${job.jobId} is not probed yet`);
  if (job.tasksTotal > 0) {
    return planKey(job.tasks, job.maxAttempts) === planKey(tasks, maxAttempts)
      ? accepted()
      : jobRejected("WE-JOB-001", `Job ${job.jobId} is already planned differently`);
  }
  const problem = planProblem(tasks, maxAttempts);
  if (problem) return jobRejected("WE-JOB-001", `Invalid plan for job ${job.jobId}: ${problem}`);
  const ordered = [...tasks].sort((a, b) => a.sequenceIndex - b.sequenceIndex);
  const ready = ordered.filter((task) => (task.dependsOn ?? []).length === 0 && task.kind !== "stitch");
  return accepted(
    { type: "JobPlanned", data: { tasks: ordered, maxAttempts } },
    ...scheduleInOrder(ready).map(
      ({ taskId, kind }): JobEvent => ({ type: "TaskScheduled", data: { taskId, attempt: 1, kind } }),
    ),
  );
}

/**
 * The order tasks that became ready at once are queued in: the longest video first, so none starts last
 * and leaves the pool waiting on it; then the short ones (audio, subtitles, thumbnails) in plan order;
 * stitches and the package, which wait on the rest, last.
 */
function scheduleInOrder(
  ready: readonly Pick<PlannedTask, "taskId" | "sequenceIndex" | "startTimeSec" | "endTimeSec" | "kind">[],
): { taskId: string; kind: TaskKind }[] {
  const video = longestFirst(
    ready
      .filter((task) => (task.kind ?? "video") === "video")
      .map((task) => ({
        taskId: task.taskId,
        index: task.sequenceIndex,
        startSec: task.startTimeSec,
        endSec: task.endTimeSec,
      })),
  ).map((task) => ({ taskId: task.taskId, kind: "video" as const }));
  const joins = (task: { kind?: string | undefined }) => task.kind === "stitch" || task.kind === "package";
  const short = ready.filter((task) => (task.kind ?? "video") !== "video" && !joins(task));
  const kindOf = (task: Pick<PlannedTask, "taskId" | "kind">) => ({
    taskId: task.taskId,
    kind: task.kind ?? "video",
  });
  return [...video, ...short.map(kindOf), ...ready.filter(joins).map(kindOf)];
}

/** The task a command names, if the command speaks for its current attempt. */
function currentTask(job: Job, taskId: string, attempt: number): TaskState | JobRejected {
  const task = job.tasks.find((candidate) => candidate.taskId === taskId);
  if (!task) return jobRejected("WE-JOB-001", `Job ${job.jobId} has no task ${taskId}`);
  if (task.status === "pending") return jobRejected("WE-JOB-001", `Task ${taskId} is not scheduled yet`);
  if (attempt !== task.attempt) {
    return jobRejected(
      "WE-JOB-010",
      `Attempt ${attempt} of task ${taskId} is not its current attempt (${task.attempt})`,
    );
  }
  return task;
}

const isRejected = (value: TaskState | JobRejected): value is JobRejected => "_tag" in value;

const notRunning = (task: TaskState) =>
  jobRejected("WE-JOB-001", `Task ${task.taskId} is ${task.status}, not running`);

function startTask({ taskId, attempt, workerId, leaseId }: StartTask["data"], job: Job): JobDecision {
  const task = currentTask(job, taskId, attempt);
  if (isRejected(task)) return task;
  if (task.status === "scheduled")
    return accepted({
      type: "TaskStarted",
      data: { taskId, attempt, workerId, ...(leaseId === undefined ? {} : { leaseId }) },
    });
  if (task.workerId === workerId) return accepted();
  return jobRejected(
    "WE-JOB-011",
    `Attempt ${attempt} of task ${taskId} was started by worker ${task.workerId}`,
  );
}

function recordTaskProgress({ taskId, attempt, pct }: RecordTaskProgress["data"], job: Job): JobDecision {
  const task = currentTask(job, taskId, attempt);
  if (isRejected(task)) return task;
  if (!(pct >= 0 && pct <= 100)) return jobRejected("WE-JOB-001", `Progress ${pct} is not within 0–100`);
  if (task.status === "completed") return accepted();
  if (task.status !== "running") return notRunning(task);
  const milestonePct = milestones.find((milestone) => milestone <= pct && milestone > task.progressPct);
  return milestonePct === undefined
    ? accepted()
    : accepted({ type: "TaskProgressed", data: { taskId, attempt, milestonePct } });
}

function completeTask(data: CompleteTask["data"], job: Job): JobDecision {
  const task = currentTask(job, data.taskId, data.attempt);
  if (isRejected(task)) return task;
  if (task.status === "completed") return accepted();
  if (task.status !== "running") return notRunning(task);
  if (isSplit(job) || job.tasks.some((other) => other.kind !== "video"))
    return completeSplitTask(data, task, job);
  if (data.stitch !== undefined) return jobRejected("WE-JOB-001", `Task ${task.taskId} is not a stitch`);
  const lastTask = job.tasks.every((other) => other.taskId === task.taskId || other.status === "completed");
  const next: JobEvent[] = !lastTask
    ? []
    : job.tasksTotal > 1
      ? [{ type: "JobStitchingStarted", data: {} }]
      : [{ type: "JobUploadingStarted", data: {} }];
  return accepted({ type: "TaskCompleted", data }, ...next);
}

/**
 * A task done schedules every task that waited on it alone; the first stitch (or the package) to be
 * scheduled starts the job's stitching, and the last task done its upload. A stitch completes with its proof.
 */
function completeSplitTask(data: CompleteTask["data"], task: TaskState, job: Job): JobDecision {
  const completed: JobEvent = { type: "TaskCompleted", data };
  if (task.kind === "stitch" && data.stitch === undefined)
    return jobRejected("WE-JOB-001", `The stitch of job ${job.jobId} completes with its proof`);
  if (task.kind !== "stitch" && data.stitch !== undefined)
    return jobRejected("WE-JOB-001", `Task ${task.taskId} is not a stitch`);
  const done = new Set(
    job.tasks.filter((other) => other.status === "completed").map((other) => other.taskId),
  ).add(task.taskId);
  if (done.size === job.tasks.length) return accepted(completed, { type: "JobUploadingStarted", data: {} });
  const ready = job.tasks.filter(
    (other) =>
      other.status === "pending" &&
      other.dependsOn.includes(task.taskId) &&
      other.dependsOn.every((id) => done.has(id)),
  );
  const joining = ready.some((other) => other.kind === "stitch" || other.kind === "package");
  return accepted(
    completed,
    ...(joining && job.status !== "stitching" ? [{ type: "JobStitchingStarted", data: {} } as const] : []),
    ...scheduleInOrder(ready).map(
      ({ taskId, kind }): JobEvent => ({ type: "TaskScheduled", data: { taskId, attempt: 1, kind } }),
    ),
  );
}

function failTask({ now, code, ...data }: FailTask["data"], job: Job): JobDecision {
  const task = currentTask(job, data.taskId, data.attempt);
  if (isRejected(task)) return task;
  if (task.status !== "running" && task.status !== "scheduled") return notRunning(task);
  const nowMs = Date.parse(now);
  if (Number.isNaN(nowMs)) return jobRejected("WE-JOB-001", `now is not a timestamp: ${now}`);
  const failed: JobEvent = { type: "TaskFailed", data };
  if (isRetryable(data.exitClass) && data.attempt < job.maxAttempts) {
    const delayMs = retryDelayMs(data.attempt);
    const notBefore = new Date(nowMs + delayMs).toISOString();
    const nextAttempt = data.attempt + 1;
    const avoidWorkers = workersToAvoid(task, data.exitClass);
    return accepted(
      failed,
      { type: "TaskRetryScheduled", data: { taskId: data.taskId, nextAttempt, notBefore, delayMs } },
      {
        type: "TaskScheduled",
        data: {
          taskId: data.taskId,
          attempt: nextAttempt,
          kind: task.kind,
          notBefore,
          ...(avoidWorkers.length === 0 ? {} : { avoidWorkers }),
        },
      },
    );
  }
  const why = isRetryable(data.exitClass)
    ? `after ${data.attempt} attempt${data.attempt === 1 ? "" : "s"}`
    : `(${data.exitClass}, not retried)`;
  return accepted(failed, {
    type: "JobFailed",
    data: {
      code: code ?? (data.exitClass === "input" ? "WE-JOB-007" : "WE-JOB-008"),
      message: `Task ${task.sequenceIndex} failed ${why}: ${data.message}`,
    },
  });
}

/**
 * The spec retries an out-of-memory failure on another worker: the worker that held the attempt joins
 * those the task already avoids. Other failures say nothing about the machine and keep the list as it is.
 */
function workersToAvoid(task: TaskState, exitClass: ExitClass): string[] {
  const avoided = [...task.avoidWorkers];
  if (exitClass === "oom" && task.workerId !== null && !avoided.includes(task.workerId))
    avoided.push(task.workerId);
  return avoided;
}

function completeUpload({ outputs }: CompleteUpload["data"], job: Job): JobDecision {
  if (job.status !== "uploading")
    return jobRejected("WE-JOB-001", `Job ${job.jobId} is ${job.status}, not uploading`);
  if (outputs.length === 0) return jobRejected("WE-JOB-001", `Job ${job.jobId} needs at least one output`);
  return accepted({ type: "JobCompleted", data: { outputs } });
}
