// Catch-up then live. Woken by appends of this process at once and by other processes through
// LISTEN/NOTIFY; a poll every `pollMs` covers lost notifications (NOTIFY is only a hint). Once caught up,
// a subscription takes its events from the process's shared live tail (liveTail.ts) while the tail's
// memory reaches back to it, and reads the table itself otherwise.
import type pg from "pg";
import type {
  SubscribeOptions,
  Subscription,
  SubscriptionMessage,
} from "../../../domain/ports/eventStore.ts";
import type { LiveTail } from "./liveTail.ts";
import { readAllPage } from "./readAll.ts";
import { positionOfCheckpoint } from "./recordedEventRow.ts";

export interface AppendSignal {
  /** Counts appends seen; pass it to `wait` so an append between a read and the wait is not missed. */
  readonly version: number;
  /** Resolves on the first append after `since` (or after `ms`, or when aborted). */
  wait(since: number, ms: number, signal: AbortSignal): Promise<void>;
}

export function createAppendSignal(): AppendSignal & { notify(): void } {
  let waiters: Array<() => void> = [];
  let version = 0;
  return {
    get version() {
      return version;
    },
    notify() {
      version++;
      const woken = waiters;
      waiters = [];
      for (const wake of woken) wake();
    },
    wait(since, ms, signal) {
      return new Promise<void>((resolve) => {
        if (version !== since || signal.aborted) return resolve();
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener("abort", done);
          waiters = waiters.filter((w) => w !== done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        signal.addEventListener("abort", done, { once: true });
        waiters.push(done);
      });
    },
  };
}

export function subscribeToAll(
  pool: pg.Pool,
  schema: string,
  appendSignal: AppendSignal,
  options: SubscribeOptions & { batchSize?: number; pollMs?: number; tail?: LiveTail } = {},
): Subscription {
  const controller = new AbortController();
  const abort = () => controller.abort();
  options.signal?.addEventListener("abort", abort, { once: true });
  if (options.signal?.aborted) controller.abort();
  const batchSize = options.batchSize ?? 5000;
  const pollMs = options.pollMs ?? 500;

  async function* messages(): AsyncGenerator<SubscriptionMessage> {
    const { signal } = controller;
    let position: number;
    if (options.from === "end") {
      const { rows } = await pool.query<{ head: string }>(`select head from "${schema}".es_head`);
      position = Number(rows[0]!.head);
    } else {
      position =
        options.from === undefined || options.from === "start" ? 0 : positionOfCheckpoint(options.from);
    }
    let caughtUp = false;
    const { tail } = options;
    try {
      while (!signal.aborted) {
        if (caughtUp && tail !== undefined) {
          const seenTail = tail.version;
          const page = tail.read(position, options.filter, batchSize);
          if (page !== null) {
            for (const event of page.events) {
              if (signal.aborted) return;
              yield { type: "event", event };
            }
            const skipped = page.scannedTo > (page.events.at(-1)?.position ?? position);
            position = Math.max(position, page.scannedTo);
            if (skipped) yield { type: "checkpoint", checkpoint: String(position), position };
            if (page.events.length < batchSize) await tail.wait(seenTail, pollMs, signal);
            continue;
          }
        }
        const seen = appendSignal.version;
        const page = await readAllPage(pool, schema, position, batchSize, options.filter);
        for (const event of page.events) {
          if (signal.aborted) return;
          yield { type: "event", event };
        }
        const skipped = page.scannedTo > (page.events.at(-1)?.position ?? position);
        position = page.scannedTo;
        if (caughtUp && skipped) yield { type: "checkpoint", checkpoint: String(position), position };
        if (page.events.length < batchSize) {
          if (!caughtUp) {
            caughtUp = true;
            yield { type: "caughtUp", checkpoint: String(position), position };
          }
          await appendSignal.wait(seen, pollMs, signal);
        }
      }
    } finally {
      options.signal?.removeEventListener("abort", abort);
    }
  }

  const iterator = messages();
  return {
    [Symbol.asyncIterator]: () => iterator,
    async close() {
      controller.abort();
      await iterator.return(undefined);
    },
  };
}
