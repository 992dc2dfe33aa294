// Bounded retries of one event's handling, shared by reactors and projectors. An attempt counts against
// the event only while the processor's dependencies answer a health probe: when the database itself is
// down every event fails, and parking them all would empty the log into the dead-letter list.
import type pg from "pg";
import type { EventStore } from "../../domain/ports/eventStore.ts";
import type { GivenUp, RetryPolicy } from "../../domain/ports/reactor.ts";
import { sleepUnlessAborted } from "../../workers/sleepUnlessAborted.ts";

export type { GivenUp, RetryPolicy };

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 5, firstDelayMs: 500, maxDelayMs: 30_000 };

export type Attempted<T> =
  | { _tag: "Done"; value: T }
  | { _tag: "GivenUp"; failure: GivenUp }
  | { _tag: "Aborted" };

/**
 * Whom a failure is blamed on: the event (an attempt counts), the event for certain (given up on at
 * once), or something else that will recover (a dependency that is down: the attempt does not count).
 */
export type Blame = "event" | "event-for-certain" | "elsewhere";

export interface RetryBoundedOptions {
  policy: RetryPolicy;
  signal: AbortSignal;
  blame(error: Error): Promise<Blame>;
  /** Each failure that will be tried again; `counted` is false while a dependency is down. */
  onRetry(error: Error, delayMs: number, counted: boolean): void;
}

export async function retryBounded<T>(
  run: () => Promise<T>,
  { policy, signal, blame, onRetry }: RetryBoundedOptions,
): Promise<Attempted<T>> {
  let attempts = 0;
  let firstFailedAt: Date | undefined;
  for (let delay = policy.firstDelayMs; !signal.aborted; delay = Math.min(delay * 2, policy.maxDelayMs)) {
    try {
      return { _tag: "Done", value: await run() };
    } catch (failure) {
      if (signal.aborted) break;
      const error = failure instanceof Error ? failure : new Error(String(failure));
      const blamed = await blame(error).catch((): Blame => "elsewhere");
      const counted = blamed !== "elsewhere";
      const lastFailedAt = new Date();
      firstFailedAt ??= lastFailedAt;
      if (counted) attempts++;
      if (attempts >= policy.maxAttempts || blamed === "event-for-certain") {
        return { _tag: "GivenUp", failure: { error: error.message, attempts, firstFailedAt, lastFailedAt } };
      }
      onRetry(error, delay, counted);
      await sleepUnlessAborted(delay, signal);
    }
  }
  return { _tag: "Aborted" };
}

/** The probe every processor shares: its read-model database and the event store both answer. */
export const storeAndDatabaseHealthy =
  (store: Pick<EventStore, "headPosition">, pool: pg.Pool) => async (): Promise<boolean> => {
    try {
      await pool.query("select 1");
      await store.headPosition();
      return true;
    } catch {
      return false;
    }
  };
