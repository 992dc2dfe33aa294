// Finds workers that went silent: every worker sends a heartbeat on the bus every few seconds; one not
// heard from for `missedHeartbeats` intervals is marked lost (WorkerLost) and the task attempts it held
// are failed as transient, so the decider schedules them again at once instead of after the queue's
// lease runs out. Several kernels may watch: marking lost and failing a held attempt decide nothing twice.
import type { ProgressBus } from "../../domain/ports/progressBus.ts";
import { sleepUnlessAborted } from "../sleepUnlessAborted.ts";
import { silentLog, type WorkerLog } from "../workerLog.ts";

export const HEARTBEAT_INTERVAL_MS = 5_000;
export const MISSED_HEARTBEATS = 3;

export interface OnlineWorker {
  workerId: string;
  startedAt: Date;
}

export interface HeldAttempt {
  jobId: string;
  taskId: string;
  attempt: number;
}

export interface WorkerLivenessDeps {
  bus: Pick<ProgressBus, "subscribeHeartbeats">;
  /** Workers whose last known state is online (the read model). */
  onlineWorkers(): Promise<OnlineWorker[]>;
  /** The task attempts a worker is running (the read model). */
  heldAttempts(workerId: string): Promise<HeldAttempt[]>;
  markLost(workerId: string, lastHeartbeatAt: Date, missedHeartbeats: number): Promise<void>;
  failAttempt(attempt: HeldAttempt, message: string): Promise<void>;
  intervalMs?: number;
  missedHeartbeats?: number;
  now: () => Date;
  log?: WorkerLog;
}

export interface WorkerLivenessMonitor {
  /** When this kernel last heard from a worker, or null. */
  lastHeartbeat(workerId: string): Date | null;
  /** One look at every online worker; returns the ids marked lost. */
  check(): Promise<string[]>;
  stop(): Promise<void>;
}

export function startWorkerLivenessMonitor(deps: WorkerLivenessDeps): WorkerLivenessMonitor {
  const intervalMs = deps.intervalMs ?? HEARTBEAT_INTERVAL_MS;
  const missed = deps.missedHeartbeats ?? MISSED_HEARTBEATS;
  const log = deps.log ?? silentLog;
  // A kernel that just started has heard nobody yet: every worker gets the full grace from now.
  const watchingSince = deps.now();
  const heard = new Map<string, Date>();
  // when the kernel received it, not the time the worker wrote in it: a worker's clock may be off
  const unsubscribe = deps.bus.subscribeHeartbeats((beat) => heard.set(beat.workerId, deps.now()));

  async function check(): Promise<string[]> {
    const lost: string[] = [];
    const now = deps.now().getTime();
    for (const worker of await deps.onlineWorkers()) {
      const lastSeen = Math.max(
        heard.get(worker.workerId)?.getTime() ?? 0,
        worker.startedAt.getTime(),
        watchingSince.getTime(),
      );
      if (now - lastSeen <= missed * intervalMs) continue;
      const silentFor = Math.round((now - lastSeen) / 1000);
      await deps.markLost(worker.workerId, new Date(lastSeen), Math.floor((now - lastSeen) / intervalMs));
      for (const attempt of await deps.heldAttempts(worker.workerId)) {
        await deps.failAttempt(
          attempt,
          `worker ${worker.workerId} lost: no heartbeat for ${silentFor} s; the task goes to another worker`,
        );
      }
      heard.delete(worker.workerId);
      lost.push(worker.workerId);
      log("warn", `worker ${worker.workerId} lost: no heartbeat for ${silentFor} s`);
    }
    return lost;
  }

  const stopping = new AbortController();
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      await sleepUnlessAborted(Math.min(1_000, intervalMs), stopping.signal);
      if (stopping.signal.aborted) break;
      await check().catch((error: Error) => log("error", `worker liveness: ${error.message}`));
    }
  })();

  return {
    lastHeartbeat: (workerId) => heard.get(workerId) ?? null,
    check,
    async stop() {
      stopping.abort();
      unsubscribe();
      await loop;
    },
  };
}
