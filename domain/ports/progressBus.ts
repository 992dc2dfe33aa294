// Ephemeral encoder progress: ticks travel on a bus (≥ 1/s while encoding) and are never stored as
// events; only milestones are. API responses merge the latest tick over the stored progress. Live
// streams' telemetry travels the same way, about once a second per stream.
import type { LiveTelemetryTick } from "./liveSessions.ts";
import type { RestreamFiguresTick } from "./restreamFigures.ts";

export interface ProgressTick {
  jobId: string;
  taskId: string;
  attempt: number;
  workerId: string;
  /** 0–100 of the task. */
  pct: number;
  outTimeSec: number;
  fps: number | null;
  speed: number | null;
  etaSeconds: number | null;
  /** ISO time the worker measured it. */
  at: string;
}

/** A worker's sign of life, every few seconds; its absence is what the kernel stores (WorkerLost). */
export interface WorkerHeartbeat {
  workerId: string;
  /** ISO time the worker sent it. */
  at: string;
  /** Task attempts it is working on now. */
  runningTasks: number;
  draining: boolean;
}

export interface ProgressBus {
  publish(tick: ProgressTick): void;
  /** Every tick from now on; returns the unsubscribe function. */
  subscribe(listener: (tick: ProgressTick) => void): () => void;
  /** The latest tick of each task of a job seen by this process (dropped once the job ends). */
  latest(jobId: string): ProgressTick[];
  forget(jobId: string): void;
  publishHeartbeat(heartbeat: WorkerHeartbeat): void;
  /** Every heartbeat from now on; returns the unsubscribe function. */
  subscribeHeartbeats(listener: (heartbeat: WorkerHeartbeat) => void): () => void;
  publishTelemetry(tick: LiveTelemetryTick): void;
  /** Every telemetry tick from now on; returns the unsubscribe function. */
  subscribeTelemetry(listener: (tick: LiveTelemetryTick) => void): () => void;
  /** The latest telemetry tick of a stream seen by this process, until its session ends. */
  latestTelemetry(streamId: string): LiveTelemetryTick | undefined;
  forgetTelemetry(streamId: string): void;
  /** A running restream's figures, for the kernels that do not run it (their API answers with them). */
  publishRestreamFigures(tick: RestreamFiguresTick): void;
  /** The latest figures of a restream seen by this process. */
  latestRestreamFigures(restreamId: string): RestreamFiguresTick | undefined;
  close(): Promise<void>;
}
