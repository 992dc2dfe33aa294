// What the job decider knows about a job: enough to decide every command, and what a read model needs.
import type { ErrorCode } from "../../schemas/errors.ts";
import type {
  ChunkEdgeSsimData,
  ChunkTimingData,
  JobEventData,
  JobOutput,
  SourceMetadata,
  StitchReport,
  StitchTargetData,
  TaskFile,
  TaskKind,
} from "../../schemas/events/jobEvents.ts";

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
  kind: TaskKind;
  /** A chunk of a split encode: how it is cut. */
  chunk: ChunkTimingData | null;
  /** The stitch task: what the stitched output must hold. */
  stitch: StitchTargetData | null;
  /** The ladder tier of a video or stitch task; null for a job of one rendition. */
  rendition: string | null;
  /** The tiers a video task makes at once, from one decode (their files are in `files`); else empty. */
  renditions: readonly string[];
  /** Tasks that complete before this one is scheduled. */
  dependsOn: readonly string[];
  status: TaskStatus;
  /** The current attempt; 0 until the task is first scheduled. Only this attempt may report. */
  attempt: number;
  workerId: string | null;
  /** The queue message the running attempt holds as its lease, when its worker said. */
  leaseId: string | null;
  /** Highest milestone reached by the current attempt (0, 25, 50, 75), 100 once completed. */
  progressPct: number;
  outputKey: string | null;
  sizeBytes: number | null;
  checksum: string | null;
  /** The files a package, thumbnails or subtitles task made, as its completion recorded them. */
  files: readonly TaskFile[];
  /** Everything a package task wrote under one folder. */
  folder: { prefix: string; fileCount: number; sizeBytes: number } | null;
  /** A completed chunk's share of the seam figures, when it measured them. */
  edgeSsim: ChunkEdgeSsimData | null;
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
  /** A split job's stitch proof and seam figures, once stitched. */
  stitchReport: StitchReport | null;
}

export type JobState = NoJob | Job;

export const initialState = (): JobState => ({ status: "initial" });

const terminal: ReadonlySet<JobStatus> = new Set(["completed", "failed", "cancelled"]);

export const isTerminal = (status: JobStatus): boolean => terminal.has(status);

/**
 * The task whose output is the job's one progressive file: the stitch of a split job of one rendition,
 * else its only task. Undefined for a ladder (its outputs are the package's or each rendition's).
 */
export const finalTask = (job: Job): TaskState | undefined => {
  // An audio-only source: its audio is the final output, beside its package when it has one.
  if (job.tasks.length > 0 && job.tasks.every((task) => task.kind === "audio" || task.kind === "package"))
    return job.tasks.find((task) => task.kind === "audio");
  if (isLadder(job)) return undefined;
  const stitch = job.tasks.find((task) => task.kind === "stitch");
  if (stitch) return stitch;
  const video = job.tasks.filter((task) => task.kind === "video");
  return video.length === 1 && job.tasks.every((task) => task.kind !== "audio") ? video[0] : undefined;
};

/** Tasks wait on others: a split job (chunks and audio before the stitch) or a ladder. */
export const isSplit = (job: Job): boolean => job.tasks.some((task) => task.dependsOn.length > 0);

/** A job of several renditions, or one with a package. */
export const isLadder = (job: Job): boolean =>
  job.tasks.some((task) => task.rendition !== null || task.renditions.length > 0 || task.kind === "package");
