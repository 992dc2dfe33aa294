// What operators and the kernel may ask of a worker. Its run itself (WorkerStarted, WorkerStopped) is
// told by the worker process.
import type { ExitClass } from "../../schemas/events/jobEvents.ts";
import type { WorkerEventData } from "../../schemas/events/workerEvents.ts";

export type DrainWorker = { type: "DrainWorker"; data: WorkerEventData<"WorkerDrained"> };
export type UndrainWorker = { type: "UndrainWorker"; data: WorkerEventData<"WorkerUndrained"> };
/** From the liveness monitor, which counted the heartbeats that did not come. */
export type MarkWorkerLost = { type: "MarkWorkerLost"; data: WorkerEventData<"WorkerLost"> };
export type RemoveWorker = { type: "RemoveWorker"; data: WorkerEventData<"WorkerRemoved"> };

/** From the quarantine reactor: an attempt this worker held failed, for whatever reason. */
export type RecordAttemptFailure = {
  type: "RecordAttemptFailure";
  data: {
    workerId: string;
    jobId: string;
    taskId: string;
    attempt: number;
    exitClass: ExitClass;
    /** When the job recorded the failure; the quarantine window is measured in these. */
    failedAt: string;
  };
};

/** From the quarantine reactor: an attempt this worker held completed. */
export type RecordAttemptSuccess = {
  type: "RecordAttemptSuccess";
  data: WorkerEventData<"WorkerRecovered">;
};

export type UnquarantineWorker = { type: "UnquarantineWorker"; data: WorkerEventData<"WorkerUnquarantined"> };

export type WorkerCommand =
  | DrainWorker
  | UndrainWorker
  | MarkWorkerLost
  | RemoveWorker
  | RecordAttemptFailure
  | RecordAttemptSuccess
  | UnquarantineWorker;
