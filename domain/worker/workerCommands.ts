// What operators and the kernel may ask of a worker. Its run itself (WorkerStarted, WorkerStopped) is
// told by the worker process.
import type { WorkerEventData } from "../../schemas/events/workerEvents.ts";

export type DrainWorker = { type: "DrainWorker"; data: WorkerEventData<"WorkerDrained"> };
export type UndrainWorker = { type: "UndrainWorker"; data: WorkerEventData<"WorkerUndrained"> };
/** From the liveness monitor, which counted the heartbeats that did not come. */
export type MarkWorkerLost = { type: "MarkWorkerLost"; data: WorkerEventData<"WorkerLost"> };
export type RemoveWorker = { type: "RemoveWorker"; data: WorkerEventData<"WorkerRemoved"> };

export type WorkerCommand = DrainWorker | UndrainWorker | MarkWorkerLost | RemoveWorker;
