// The worker aggregate as a decider value: drain and undrain an online worker, mark a silent one lost,
// remove one that no longer runs. Repeats decide nothing new, so retries and several kernels are safe.
import { match } from "ts-pattern";
import type { WorkerEvent } from "../../schemas/events/workerEvents.ts";
import type { WorkerCommand } from "./workerCommands.ts";
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
    .with({ type: "RemoveWorker" }, ({ data }) => {
      const worker = known(state, workerId);
      if ("_tag" in worker) return worker;
      return worker.status === "online"
        ? workerRejected("WorkerOnline", `Worker ${workerId} is online`)
        : accepted({ type: "WorkerRemoved", data });
    })
    .exhaustive();
}

function evolve(state: WorkerState, event: WorkerEvent): WorkerState {
  return match(event)
    .returnType<WorkerState>()
    .with({ type: "WorkerStarted" }, ({ data }) => ({
      status: "online",
      workerId: data.workerId,
      draining: false,
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
    .exhaustive();
}

export const workerDecider = { decide, evolve, initialState };
