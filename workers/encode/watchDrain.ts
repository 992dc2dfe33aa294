// Whether this worker is drained: an admin's WorkerDrained / WorkerUndrained, or the kernel's
// WorkerQuarantined until an admin's WorkerUnquarantined, on its own stream, read once and then followed
// live. A drained or quarantined worker finishes what it holds and takes nothing new.
import type { EventStore } from "../../domain/ports/eventStore.ts";
import { workerStream } from "../../schemas/events/streamNames.ts";
import { silentLog, type WorkerLog } from "../workerLog.ts";

export interface DrainWatch {
  draining(): boolean;
  /** Aborted as soon as the worker is drained (at once when it already is): ends a wait for new work. */
  drainedSignal(): AbortSignal;
  /** Resolves once the worker may take work again (at once when it is not drained), or when `signal` aborts. */
  untilUndrained(signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

const drainEvents = ["WorkerDrained", "WorkerUndrained", "WorkerQuarantined", "WorkerUnquarantined"];

export async function watchDrain(
  store: EventStore,
  workerId: string,
  log: WorkerLog = silentLog,
): Promise<DrainWatch> {
  let draining = false;
  const held = { drained: false, quarantined: false };
  let waiters: Array<() => void> = [];
  let drained = new AbortController();
  const set = (type: string) => {
    if (type === "WorkerDrained" || type === "WorkerUndrained") held.drained = type === "WorkerDrained";
    else held.quarantined = type === "WorkerQuarantined";
    const next = held.drained || held.quarantined;
    if (draining === next) return;
    draining = next;
    const why = held.quarantined ? "quarantined" : "drained";
    log(
      "info",
      `worker ${workerId} ${next ? `${why}: finishing what it holds, taking nothing new` : "taking work again"}`,
    );
    if (next) drained.abort();
    else {
      drained = new AbortController();
      for (const wake of waiters.splice(0)) wake();
    }
  };
  const subscription = store.subscribeToAll({
    from: "start",
    filter: { streamPrefixes: [workerStream.name(workerId)], eventTypes: drainEvents },
  });
  let markLive = () => {};
  const live = new Promise<void>((resolve) => {
    markLive = resolve;
  });
  const following = (async () => {
    for await (const message of subscription) {
      if (message.type === "caughtUp") markLive();
      // the filter's prefix also matches ids that merely start with this one
      else if (message.type === "event" && message.event.streamId === workerStream.name(workerId))
        set(message.event.type);
    }
  })()
    .catch((error: Error) =>
      log(
        "warn",
        `worker ${workerId}: following drain orders failed: ${error.message}; this worker keeps taking work`,
      ),
    )
    .finally(markLive);
  await live;
  return {
    draining: () => draining,
    drainedSignal: () => drained.signal,
    untilUndrained(signal) {
      if (!draining || signal.aborted) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const wake = () => {
          signal.removeEventListener("abort", wake);
          waiters = waiters.filter((w) => w !== wake);
          resolve();
        };
        waiters.push(wake);
        signal.addEventListener("abort", wake, { once: true });
      });
    },
    async close() {
      await subscription.close();
      await following;
      for (const wake of waiters.splice(0)) wake();
    },
  };
}
