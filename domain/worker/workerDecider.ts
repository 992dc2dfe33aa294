// The worker aggregate as a decider value: drain and undrain an online worker, mark a silent one lost,
// count the failures of the attempts it held and quarantine it when they run in a row, lift that,
// remove one that no longer runs. Repeats decide nothing new, so retries and several kernels are safe.
import { match } from "ts-pattern";
import type { WorkerEvent } from "../../schemas/events/workerEvents.ts";
import { quarantinePolicy } from "./quarantinePolicy.ts";
import type { RecordAttemptFailure, WorkerCommand } from "./workerCommands.ts";
import { type WorkerRejected, workerRejected } from "./workerRejected.ts";
import { initialState, type Worker, type WorkerState } from "./workerState.ts";

export type WorkerDecision = { _tag: "Accepted"; events: WorkerEvent[] } | WorkerRejected;

const accepted = (...events: WorkerEvent[]): WorkerDecision => ({ _tag: "Accepted", events });

const known = (state: WorkerState, workerId: string): Worker | WorkerRejected =>
  state.status === "initial" || state.status === "removed"
    ? workerRejected("WorkerNotFound", `No worker ${workerId}`)
    : state;

const online = (state: WorkerState, workerId: string): Worker | WorkerRejected => {
  const worker = known(state, workerId);
  if ("_tag" in worker) return worker;
  return worker.status === "online"
    ? worker
    : workerRejected("WorkerOffline", `Worker ${workerId} is ${worker.status}`);
};

function decide(command: WorkerCommand, state: WorkerState): WorkerDecision {
  const { workerId } = command.data;
  return match(command)
    .returnType<WorkerDecision>()
    .with({ type: "DrainWorker" }, ({ data }) => {
      const worker = online(state, workerId);
      if ("_tag" in worker) return worker;
      return worker.draining ? accepted() : accepted({ type: "WorkerDrained", data });
    })
    .with({ type: "UndrainWorker" }, ({ data }) => {
      const worker = online(state, workerId);
      if ("_tag" in worker) return worker;
      return worker.draining ? accepted({ type: "WorkerUndrained", data }) : accepted();
    })
    .with({ type: "MarkWorkerLost" }, ({ data }) =>
      // a worker that stopped, or was found lost by another kernel first, has nothing more to lose
      state.status === "online" ? accepted({ type: "WorkerLost", data }) : accepted(),
    )
    .with({ type: "RecordAttemptFailure" }, ({ data }) => {
      const worker = known(state, workerId);
      if ("_tag" in worker) return worker;
      return recordFailure(worker, data);
    })
    .with({ type: "RecordAttemptSuccess" }, ({ data }) => {
      const worker = known(state, workerId);
      if ("_tag" in worker) return worker;
      return worker.failureStreak === null ? accepted() : accepted({ type: "WorkerRecovered", data });
    })
    .with({ type: "UnquarantineWorker" }, ({ data }) => {
      const worker = online(state, workerId);
      if ("_tag" in worker) return worker;
      return worker.quarantine === null ? accepted() : accepted({ type: "WorkerUnquarantined", data });
    })
    .with({ type: "RemoveWorker" }, ({ data }) => {
      const worker = known(state, workerId);
      if ("_tag" in worker) return worker;
      return worker.status === "online"
        ? workerRejected("WorkerOnline", `Worker ${workerId} is online`)
        : accepted({ type: "WorkerRemoved", data });
    })
    .exhaustive();
}

function recordFailure(worker: Worker, data: RecordAttemptFailure["data"]): WorkerDecision {
  const { exitClass, failedAt, workerId, jobId, taskId, attempt } = data;
  if (!quarantinePolicy.countsAgainstWorker(exitClass)) return accepted();
  const key = quarantinePolicy.attemptKey(data);
  // a worker that went away takes no work anyway; a repeated record counts once
  if (worker.status !== "online" || worker.failureStreak?.attempts.some((a) => a.key === key))
    return accepted();
  const failed: WorkerEvent = {
    type: "WorkerAttemptFailed",
    data: { workerId, jobId, taskId, attempt, exitClass, failedAt },
  };
  const streak = quarantinePolicy.streakAfter(worker.failureStreak, { key, exitClass, failedAt });
  if (worker.quarantine !== null || !quarantinePolicy.quarantines(streak)) return accepted(failed);
  const failures = streak.attempts.length;
  const minutes = Math.round(quarantinePolicy.windowMs / 60_000);
  const reason = `${failures} task attempts failed in a row (${exitClass}) within ${minutes} min; the last: job ${jobId}, attempt ${attempt}`;
  return accepted(failed, { type: "WorkerQuarantined", data: { workerId, exitClass, failures, reason } });
}

function evolve(state: WorkerState, event: WorkerEvent): WorkerState {
  return match(event)
    .returnType<WorkerState>()
    .with({ type: "WorkerStarted" }, ({ data }) => ({
      status: "online",
      workerId: data.workerId,
      draining: false,
      quarantine: null,
      failureStreak: null,
    }))
    .with({ type: "WorkerStopped" }, () =>
      state.status === "online" ? { ...state, status: "stopped" } : state,
    )
    .with({ type: "WorkerDrained" }, () =>
      state.status === "initial" ? state : { ...state, draining: true },
    )
    .with({ type: "WorkerUndrained" }, () =>
      state.status === "initial" ? state : { ...state, draining: false },
    )
    .with({ type: "WorkerLost" }, () => (state.status === "online" ? { ...state, status: "lost" } : state))
    .with({ type: "WorkerRemoved" }, () =>
      state.status === "initial" ? state : { ...state, status: "removed" },
    )
    .with({ type: "WorkerAttemptFailed" }, ({ data }) =>
      state.status === "initial"
        ? state
        : {
            ...state,
            failureStreak: quarantinePolicy.streakAfter(state.failureStreak, {
              key: quarantinePolicy.attemptKey(data),
              exitClass: data.exitClass,
              failedAt: data.failedAt,
            }),
          },
    )
    .with({ type: "WorkerRecovered" }, () =>
      state.status === "initial" ? state : { ...state, failureStreak: null },
    )
    .with({ type: "WorkerQuarantined" }, ({ data }) =>
      state.status === "initial"
        ? state
        : {
            ...state,
            quarantine: { exitClass: data.exitClass, failures: data.failures, reason: data.reason },
          },
    )
    .with({ type: "WorkerUnquarantined" }, () =>
      // lifted by an admin: the failures that led to it are forgiven too
      state.status === "initial" ? state : { ...state, quarantine: null, failureStreak: null },
    )
    .exhaustive();
}

export const workerDecider = { decide, evolve, initialState };
