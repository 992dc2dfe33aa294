// The commands a job accepts. Each carries what deciding needs (ids, attempt, `now`): the decider has
// no clock and makes no ids. Task commands name their attempt, which is how stale results are fenced off.

import type { ErrorCode } from "../../schemas/errors.ts";
import type {
  ExitClass,
  JobEventData,
  JobOutput,
  PlannedTask,
  SourceMetadata,
} from "../../schemas/events/jobEvents.ts";

export type SubmitJob = { type: "SubmitJob"; data: JobEventData<"JobSubmitted"> };

export type RecordProbe = { type: "RecordProbe"; data: SourceMetadata };

/**
 * The source cannot be read or is not a video: the job fails without retries, with WE-JOB-002 when the
 * source cannot be reached or may not be fetched, WE-JOB-007 (the default) when it is not usable media.
 */
export type FailProbe = { type: "FailProbe"; data: { message: string; code?: "WE-JOB-002" | "WE-JOB-007" } };

export type PlanJob = { type: "PlanJob"; data: { tasks: PlannedTask[]; maxAttempts?: number } };

export type StartTask = {
  type: "StartTask";
  data: { taskId: string; attempt: number; workerId: string; leaseId?: string };
};

/** A progress tick of a running attempt, 0–100; only new 25/50/75 % milestones are stored. */
export type RecordTaskProgress = {
  type: "RecordTaskProgress";
  data: { taskId: string; attempt: number; pct: number };
};

export type CompleteTask = { type: "CompleteTask"; data: JobEventData<"TaskCompleted"> };

export type FailTask = {
  type: "FailTask";
  data: {
    taskId: string;
    attempt: number;
    exitClass: ExitClass;
    message: string;
    stderrTail: string;
    /** ISO timestamp the retry delay counts from. */
    now: string;
    /** The code the job fails with when the task is not retried (a rejected stitch: WE-JOB-012). */
    code?: ErrorCode;
  };
};

export type CompleteStitch = { type: "CompleteStitch"; data: Record<string, never> };

export type CompleteUpload = { type: "CompleteUpload"; data: { outputs: JobOutput[] } };

/** The output cannot be published (missing, altered since it was verified, out of bounds). */
export type FailUpload = { type: "FailUpload"; data: { code: ErrorCode; message: string } };

/**
 * The platform gave up on an event of this job (its handling kept failing): the job fails with the
 * code and message given, whatever step it was at.
 */
export type FailJob = { type: "FailJob"; data: { code: ErrorCode; message: string } };

export type CancelJob = { type: "CancelJob"; data: { reason?: string } };

/** Cancels the job if it is still active and points it at the new job that repeats it. */
export type RetryJob = { type: "RetryJob"; data: { newJobId: string } };

export type DeleteJob = { type: "DeleteJob"; data: Record<string, never> };

export type JobCommand =
  | SubmitJob
  | RecordProbe
  | FailProbe
  | PlanJob
  | StartTask
  | RecordTaskProgress
  | CompleteTask
  | FailTask
  | CompleteStitch
  | CompleteUpload
  | FailUpload
  | FailJob
  | CancelJob
  | RetryJob
  | DeleteJob;
