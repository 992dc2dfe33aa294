// The one runner of projectors and reactors: single-active through a database lock, a catch-up
// subscription from the processor's checkpoint, bounded retries that blame the event only while its
// dependencies are healthy, and an event given up on set aside so that the events behind it go on.
// How events are applied and where the checkpoint is kept is the processor's `Checkpointing`.

import type pg from "pg";
import type {
  AllFilter,
  EventStore,
  RecordedEvent,
  SubscriptionMessage,
} from "../../domain/ports/eventStore.ts";
import { sleepUnlessAborted } from "../../workers/sleepUnlessAborted.ts";
import type { ProcessorKind } from "./deadLetters.ts";
import { type Lead, takeLead } from "./processorLeadership.ts";
import { type Blame, type GivenUp, type RetryPolicy, retryBounded } from "./retryBounded.ts";

export type ProcessorState = "standby" | "catching-up" | "live" | "retrying" | "stopped";

export interface ProcessorRunStatus {
  state: ProcessorState;
  /** The position of the last event applied (or passed over) and saved. */
  position: number;
  /** Since when (epoch ms) the current events have been failing; absent while none are. */
  retryingSince?: number;
  error?: string;
}

export type ProcessorLog = (level: "info" | "warn" | "error", message: string) => void;

/** What differs between processors: how events are applied and where the checkpoint is kept. */
export interface Checkpointing {
  /** Where to subscribe from, read on the leader's connection. */
  load(lead: Lead): Promise<{ checkpoint: string | undefined; position: number }>;
  /**
   * Applies `events` and moves the checkpoint past them (retried as a whole). False: the checkpoint
   * is no longer at `from` (a rebuild moved it), so the runner subscribes again.
   */
  commit(events: readonly RecordedEvent[], lead: Lead, from: number, signal: AbortSignal): Promise<boolean>;
  /** Sets an event given up on aside and moves the checkpoint past it; false as for `commit`. */
  giveUp(event: RecordedEvent, failure: GivenUp, lead: Lead, from: number): Promise<boolean>;
  /** Only events the filter skips went by up to `position`. */
  passed?(checkpoint: string, position: number, lead: Lead): Promise<void>;
  /** Whom a failure of `commit` is blamed on. */
  blame(failure: Error): Promise<Blame>;
}

export interface RunProcessorOptions {
  kind: ProcessorKind;
  name: string;
  store: EventStore;
  pool: pg.Pool;
  /** Lock names are per schema: two platforms may share a database. */
  schema: string;
  filter?: AllFilter;
  /** Where a processor without a checkpoint begins. */
  startAt: "start" | "end";
  /** Events applied at once by one `commit`. */
  batchSize: number;
  retry: RetryPolicy;
  standbyPollMs: number;
  /** Made ready before leading (tables); tried again after a failure until it succeeds once. */
  prepare(): Promise<void>;
  checkpointing: Checkpointing;
  log: ProcessorLog;
}

export interface ProcessorRun {
  status(): ProcessorRunStatus;
  /** Resolves true once events up to `position` are processed (false after `timeoutMs`). */
  waitForPosition(position: number, timeoutMs: number): Promise<boolean>;
  /** Stops taking events; the events being applied are finished (their handler sees the signal abort). */
  stop(): Promise<void>;
}

const nextTick = () => new Promise<"tick">((resolve) => setImmediate(() => resolve("tick")));

/** Groups what the subscription has ready into batches; waits only when nothing is ready. */
async function* batches(
  iterator: AsyncIterator<SubscriptionMessage>,
  size: number,
): AsyncGenerator<{
  events: RecordedEvent[];
  caughtUp: boolean;
  passed?: { checkpoint: string | null; position: number };
}> {
  let pending = iterator.next();
  while (true) {
    const first = await pending;
    if (first.done) return;
    pending = iterator.next();
    const events: RecordedEvent[] = [];
    let caughtUp = false;
    let passed: { checkpoint: string | null; position: number } | undefined;
    const take = (message: SubscriptionMessage) => {
      if (message.type === "event") events.push(message.event);
      else {
        caughtUp ||= message.type === "caughtUp";
        const { checkpoint, position = 0 } = message;
        // a caught-up message without a checkpoint (nothing stored yet) still says how far it looked
        if (position > (passed?.position ?? 0)) passed = { checkpoint, position };
      }
    };
    take(first.value);
    while (events.length < size && !caughtUp) {
      const next = await Promise.race([pending, nextTick()]);
      if (next === "tick") break;
      if (next.done) break;
      pending = iterator.next();
      take(next.value);
    }
    yield { events, caughtUp, ...(passed ? { passed } : {}) };
  }
}

const describe = (events: readonly RecordedEvent[]) =>
  events.length === 1
    ? `${events[0]!.type} at ${events[0]!.position}`
    : `a batch of ${events.length} events up to ${events.at(-1)!.position}`;

export function runProcessor(options: RunProcessorOptions): ProcessorRun {
  const { kind, name, store, pool, schema, checkpointing, log } = options;
  const title = `${kind} ${name}`;
  const stopping = new AbortController();
  let state: ProcessorState = "standby";
  let position = 0;
  /** Beyond `position`: how far the subscription read past events the filter skips. */
  let passed = 0;
  let error: string | undefined;
  let retryingSince: number | undefined;
  let caughtUp = false;
  let prepared = false;
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const waiter of waiters) waiter();
  };

  const attempt = (events: readonly RecordedEvent[], lead: Lead, signal: AbortSignal) =>
    retryBounded(() => checkpointing.commit(events, lead, position, signal), {
      policy: options.retry,
      signal,
      blame: (failure) => checkpointing.blame(failure),
      onRetry(failure, delay, counted) {
        state = "retrying";
        retryingSince ??= Date.now();
        error = failure.message;
        log(
          "warn",
          `${title}: ${describe(events)} failed, retrying in ${delay} ms${counted ? "" : " (a dependency is down: not counted)"}: ${failure.message}`,
        );
      },
    });

  /**
   * Applies a batch, or, when it keeps failing, each of its events so that only the one at fault is
   * given up on. False: subscribe again (or stopped).
   */
  async function process(events: readonly RecordedEvent[], lead: Lead, signal: AbortSignal) {
    const whole = await attempt(events, lead, signal);
    if (whole._tag === "Aborted" || (whole._tag === "Done" && !whole.value)) return false;
    if (whole._tag === "GivenUp") {
      for (const event of events) {
        const single = events.length === 1 ? whole : await attempt([event], lead, signal);
        if (single._tag === "Aborted") return false;
        const moved =
          single._tag === "Done"
            ? single.value
            : await checkpointing.giveUp(event, single.failure, lead, position);
        if (!moved) return false;
        position = event.position;
      }
    }
    position = events.at(-1)!.position;
    if (state === "retrying") state = caughtUp ? "live" : "catching-up";
    retryingSince = undefined;
    error = undefined;
    return true;
  }

  async function runWhileLeading(lead: Lead) {
    const signal = AbortSignal.any([stopping.signal, lead.lost]);
    const from = await checkpointing.load(lead);
    position = from.position;
    const subscription = store.subscribeToAll({
      from: from.checkpoint ?? options.startAt,
      filter: options.filter,
      signal,
    });
    state = "catching-up";
    try {
      for await (const batch of batches(subscription[Symbol.asyncIterator](), options.batchSize)) {
        if (batch.events.length > 0 && !(await process(batch.events, lead, signal))) return;
        if (batch.passed && batch.passed.position > Math.max(position, passed)) {
          passed = batch.passed.position;
          const { checkpoint, position: at } = batch.passed;
          if (checkpoint !== null) await checkpointing.passed?.(checkpoint, at, lead);
        }
        caughtUp ||= batch.caughtUp;
        if (batch.caughtUp && state === "catching-up") {
          state = "live";
          log("info", `${title} caught up at position ${Math.max(position, passed)}`);
        }
        wake();
      }
    } finally {
      await subscription.close();
    }
  }

  const done = (async () => {
    while (!stopping.signal.aborted) {
      let lead: Lead | null = null;
      let failed = false;
      try {
        if (!prepared) await options.prepare();
        prepared = true;
        lead = await takeLead(
          pool,
          `webencode-${kind}:${schema}:${name}`,
          options.standbyPollMs,
          stopping.signal,
        );
        if (!lead) break;
        log("info", `${title} leads`);
        await runWhileLeading(lead);
        if (lead.lost.aborted && !stopping.signal.aborted) {
          failed = true;
          log("error", `${title}: lost its database connection; standing by`);
        }
      } catch (failure) {
        if (stopping.signal.aborted) break;
        failed = true;
        error = (failure as Error).message;
        log("error", `${title}: ${error}; again in 1 s`);
      } finally {
        await lead?.release();
      }
      state = "standby";
      if (failed) await sleepUnlessAborted(1_000, stopping.signal);
    }
    state = "stopped";
    wake();
  })();

  return {
    status: () => ({
      state,
      position: Math.max(position, passed),
      ...(retryingSince === undefined ? {} : { retryingSince }),
      ...(error ? { error } : {}),
    }),
    waitForPosition(target, timeoutMs) {
      const reached = () => Math.max(position, passed) >= target;
      if (reached()) return Promise.resolve(true);
      return new Promise((resolve) => {
        const check = () => {
          if (reached()) finish(true);
        };
        const finish = (ok: boolean) => {
          clearTimeout(timer);
          waiters.delete(check);
          resolve(ok);
        };
        const timer = setTimeout(() => finish(false), timeoutMs);
        waiters.add(check);
      });
    },
    async stop() {
      stopping.abort();
      await done;
    },
  };
}
