// What the job decider knows about a job: enough to decide every command, and what a read model needs.
import type { ErrorCode } from "../../schemas/errors.ts";
import type { JobEventData, JobOutput, SourceMetadata } from "../../schemas/events/jobEvents.ts";

export type JobStatus =
  | "queued"
  | "processing"
  | "stitching"
  | "uploading"
  | "completed"
  | "failed"
  | "cancelled";

export type TaskStatus = "pending" | "scheduled" | "running" | "completed" | "failed";

export interface TaskState {
  taskId: string;
  sequenceIndex: number;
  startTimeSec: number;
  endTimeSec: number;
  status: TaskStatus;
  /** The current attempt; 0 until the task is first scheduled. Only this attempt may report. */
  attempt: number;
  workerId: string | null;
  /** Highest milestone reached by the current attempt (0, 25, 50, 75), 100 once completed. */
  progressPct: number;
  outputKey: string | null;
  sizeBytes: number | null;
  checksum: string | null;
  notBefore: string | null;
  /** Workers where an attempt of this task ran out of memory: the next attempts go elsewhere if they can. */
  avoidWorkers: readonly string[];
}

/** No job yet: only SubmitJob is accepted. */
export interface NoJob {
  status: "initial";
}

export interface Job extends JobEventData<"JobSubmitted"> {
  status: JobStatus;
  /** Deleted jobs stay in the log; they refuse every command. */
  deleted: boolean;
  probe: SourceMetadata | null;
  maxAttempts: number;
  /** Ordered by sequence index; empty until planned. */
  tasks: readonly TaskState[];
  tasksTotal: number;
  tasksCompleted: number;
  /** Mean of the tasks' progress, rounded down. */
  progressPct: number;
  failure: { code: ErrorCode; message: string } | null;
  cancelReason: string | null;
  outputs: readonly JobOutput[];
  retriedAs: string | null;
}

export type JobState = NoJob | Job;

export const initialState = (): JobState => ({ status: "initial" });

const terminal: ReadonlySet<JobStatus> = new Set(["completed", "failed", "cancelled"]);

export const isTerminal = (status: JobStatus): boolean => terminal.has(status);
