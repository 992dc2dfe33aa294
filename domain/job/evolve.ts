// Applies one job event to the state. Total: an event that cannot apply (none can, coming from decide)
// leaves the state as it was.
import { match } from "ts-pattern";
import type { JobEvent } from "../../schemas/events/jobEvents.ts";
import type { Job, JobState, TaskState } from "./jobState.ts";

const withTasks = (job: Job, tasks: readonly TaskState[]): Job => {
  const tasksCompleted = tasks.filter((task) => task.status === "completed").length;
  const progressSum = tasks.reduce((sum, task) => sum + task.progressPct, 0);
  return {
    ...job,
    tasks,
    tasksTotal: tasks.length,
    tasksCompleted,
    progressPct: tasks.length === 0 ? 0 : Math.floor(progressSum / tasks.length),
  };
};

const updateTask = (job: Job, taskId: string, change: (task: TaskState) => Partial<TaskState>): Job =>
  withTasks(
    job,
    job.tasks.map((task) => (task.taskId === taskId ? { ...task, ...change(task) } : task)),
  );

/** Plans made before ladders name no dependencies: their stitch waits for every other task. */
const legacyDependencies = (
  tasks: readonly { taskId: string; kind?: string | undefined }[],
  taskId: string,
  kind: string | undefined,
): string[] =>
  kind === "stitch" ? tasks.filter((task) => task.taskId !== taskId).map((task) => task.taskId) : [];

export function evolve(state: JobState, event: JobEvent): JobState {
  if (state.status === "initial") {
    if (event.type !== "JobSubmitted") return state;
    return {
      ...event.data,
      status: "queued",
      deleted: false,
      probe: null,
      maxAttempts: 0,
      tasks: [],
      tasksTotal: 0,
      tasksCompleted: 0,
      progressPct: 0,
      failure: null,
      cancelReason: null,
      outputs: [],
      retriedAs: null,
      stitchReport: null,
    };
  }
  const job = state;
  return match(event)
    .returnType<Job>()
    .with({ type: "JobSubmitted" }, () => job)
    .with({ type: "JobSourceProbed" }, ({ data }) => ({ ...job, probe: data }))
    .with({ type: "JobPlanned" }, ({ data }) =>
      withTasks(
        { ...job, maxAttempts: data.maxAttempts },
        [...data.tasks]
          .sort((a, b) => a.sequenceIndex - b.sequenceIndex)
          .map(({ kind, chunk, stitch, rendition, renditions, dependsOn, ...task }) => ({
            ...task,
            kind: kind ?? "video",
            chunk: chunk ?? null,
            stitch: stitch ?? null,
            rendition: rendition ?? null,
            renditions: renditions ?? [],
            dependsOn: dependsOn ?? legacyDependencies(data.tasks, task.taskId, kind),
            files: [],
            folder: null,
            status: "pending",
            attempt: 0,
            workerId: null,
            leaseId: null,
            progressPct: 0,
            outputKey: null,
            sizeBytes: null,
            checksum: null,
            edgeSsim: null,
            notBefore: null,
            avoidWorkers: [],
          })),
      ),
    )
    .with({ type: "TaskScheduled" }, ({ data }) =>
      updateTask(job, data.taskId, () => ({
        status: "scheduled",
        attempt: data.attempt,
        workerId: null,
        leaseId: null,
        progressPct: 0,
        notBefore: data.notBefore ?? null,
        avoidWorkers: data.avoidWorkers ?? [],
      })),
    )
    .with({ type: "TaskStarted" }, ({ data }) => ({
      ...updateTask(job, data.taskId, () => ({
        status: "running",
        workerId: data.workerId,
        leaseId: data.leaseId ?? null,
      })),
      status: job.status === "queued" ? "processing" : job.status,
    }))
    .with({ type: "TaskProgressed" }, ({ data }) =>
      updateTask(job, data.taskId, (task) => ({
        progressPct: Math.max(task.progressPct, data.milestonePct),
      })),
    )
    .with({ type: "TaskCompleted" }, ({ data }) => ({
      ...updateTask(job, data.taskId, () => ({
        status: "completed",
        progressPct: 100,
        outputKey: data.outputKey,
        sizeBytes: data.sizeBytes,
        checksum: data.checksum,
        files: data.files ?? [],
        folder: data.folder ?? null,
        edgeSsim: data.edgeSsim ?? null,
      })),
      stitchReport: data.stitch ?? job.stitchReport,
    }))
    .with({ type: "TaskFailed" }, ({ data }) => updateTask(job, data.taskId, () => ({ status: "failed" })))
    .with({ type: "TaskRetryScheduled" }, ({ data }) =>
      updateTask(job, data.taskId, () => ({ notBefore: data.notBefore })),
    )
    .with({ type: "JobStitchingStarted" }, () => ({ ...job, status: "stitching" }))
    .with({ type: "JobUploadingStarted" }, () => ({ ...job, status: "uploading" }))
    .with({ type: "JobCompleted" }, ({ data }) => ({ ...job, status: "completed", outputs: data.outputs }))
    .with({ type: "JobFailed" }, ({ data }) => ({
      ...job,
      status: "failed",
      failure: { code: data.code, message: data.message },
    }))
    .with({ type: "JobCancelled" }, ({ data }) => ({
      ...job,
      status: "cancelled",
      cancelReason: data.reason ?? null,
    }))
    .with({ type: "JobRetried" }, ({ data }) => ({ ...job, retriedAs: data.newJobId }))
    .with({ type: "JobDeleted" }, () => ({ ...job, deleted: true }))
    .exhaustive();
}
