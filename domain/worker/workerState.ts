// What the worker decider knows of one worker run: whether it is online, whether it takes new work, and
// the failures in a row that may get it quarantined.
import type { WorkerFaultClass } from "../../schemas/events/workerEvents.ts";

export type WorkerStatus = "online" | "stopped" | "lost" | "removed";

export interface NoWorker {
  status: "initial";
}

/** Failed attempts in a row, all of one class, within the quarantine window of the latest. */
export interface FailureStreak {
  exitClass: WorkerFaultClass;
  attempts: readonly { key: string; failedAt: string }[];
}

export interface Worker {
  status: WorkerStatus;
  workerId: string;
  /** Ordered to finish what it holds and take nothing new. */
  draining: boolean;
  /** Takes no new work until an admin lifts it: it failed too many tasks in a row. */
  quarantine: { exitClass: WorkerFaultClass; failures: number; reason: string } | null;
  failureStreak: FailureStreak | null;
}

export type WorkerState = NoWorker | Worker;

export const initialState = (): WorkerState => ({ status: "initial" });
