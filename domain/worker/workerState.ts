// What the worker decider knows of one worker run: whether it is online, whether it takes new work.
export type WorkerStatus = "online" | "stopped" | "lost" | "removed";

export interface NoWorker {
  status: "initial";
}

export interface Worker {
  status: WorkerStatus;
  workerId: string;
  /** Ordered to finish what it holds and take nothing new. */
  draining: boolean;
}

export type WorkerState = NoWorker | Worker;

export const initialState = (): WorkerState => ({ status: "initial" });
