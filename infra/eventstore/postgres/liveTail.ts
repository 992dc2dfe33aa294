// One reader of the log's head per store, shared by every live subscription of the process: on each
// append (or poll) it reads what is new once and keeps the latest events in memory, and caught-up
// subscriptions take their events from there, filtering in memory. Without it every subscription ran
// its own query on every append: with a worker pool's watches, tens of queries per event.
// Reads go through readAllPage, so the tail sees exactly what a subscription's own read would: no gaps.
import type pg from "pg";
import type { AllFilter, RecordedEvent } from "../../../domain/ports/eventStore.ts";
import { type AllPage, readAllPage } from "./readAll.ts";
import { type AppendSignal, createAppendSignal } from "./subscribeToAll.ts";

export interface LiveTail {
  /** Advances each time the tail has read further. */
  readonly version: number;
  /**
   * The events after `position` that match `filter`, from memory; null when memory does not reach back
   * to `position` (the caller reads the table instead). Starts the tail on first use.
   */
  read(position: number, filter: AllFilter | undefined, maxCount: number): AllPage | null;
  /** Resolves once the tail has read further than at `since` (or after `ms`, or when aborted). */
  wait(since: number, ms: number, signal: AbortSignal): Promise<void>;
  close(): void;
}

export interface LiveTailOptions {
  pollMs: number;
  /** Events kept in memory; a subscription further behind reads the table. */
  capacity?: number;
  batchSize?: number;
  onError?: (error: Error) => void;
}

const matches = (event: RecordedEvent, filter: AllFilter | undefined): boolean =>
  (filter?.eventTypes === undefined ||
    filter.eventTypes.length === 0 ||
    filter.eventTypes.includes(event.type)) &&
  (filter?.streamPrefixes === undefined ||
    filter.streamPrefixes.length === 0 ||
    filter.streamPrefixes.some((prefix) => event.streamId.startsWith(prefix)));

export function createLiveTail(
  pool: pg.Pool,
  schema: string,
  appends: AppendSignal,
  options: LiveTailOptions,
): LiveTail {
  const capacity = options.capacity ?? 10_000;
  const batchSize = options.batchSize ?? 1_000;
  const advanced = createAppendSignal();
  const controller = new AbortController();
  let events: RecordedEvent[] = [];
  /** Memory holds every event in (from, to]. */
  let from = 0;
  let to = 0;
  let state: "idle" | "starting" | "running" = "idle";

  async function run(): Promise<void> {
    const { signal } = controller;
    const { rows } = await pool.query<{ head: string }>(`select head from "${schema}".es_head`);
    from = to = Number(rows[0]!.head);
    state = "running";
    advanced.notify();
    while (!signal.aborted) {
      const seen = appends.version;
      try {
        const page = await readAllPage(pool, schema, to, batchSize);
        if (page.events.length > 0) {
          events.push(...page.events);
          if (events.length > capacity) {
            const dropped = events.length - capacity;
            from = events[dropped - 1]!.position;
            events = events.slice(dropped);
          }
        }
        if (page.scannedTo > to) {
          to = page.scannedTo;
          advanced.notify();
        }
        if (page.events.length < batchSize) await appends.wait(seen, options.pollMs, signal);
      } catch (error) {
        options.onError?.(error as Error);
        await new Promise((resolve) => setTimeout(resolve, options.pollMs));
      }
    }
  }

  function start() {
    if (state !== "idle" || controller.signal.aborted) return;
    state = "starting";
    void run().catch((error: Error) => {
      // could not read the head: try again on the next use
      state = "idle";
      options.onError?.(error);
    });
  }

  /** Index of the first event after `position` (events are in position order). */
  function firstAfter(position: number): number {
    let lo = 0;
    let hi = events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (events[mid]!.position <= position) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  return {
    get version() {
      return advanced.version;
    },
    read(position, filter, maxCount) {
      start();
      if (state !== "running" || position < from) return null;
      if (position >= to) return { events: [], scannedTo: position };
      const found: RecordedEvent[] = [];
      for (let i = firstAfter(position); i < events.length; i++) {
        const event = events[i]!;
        if (!matches(event, filter)) continue;
        found.push(event);
        if (found.length === maxCount) return { events: found, scannedTo: event.position };
      }
      return { events: found, scannedTo: to };
    },
    wait: (since, ms, signal) => advanced.wait(since, ms, signal),
    close() {
      controller.abort();
      advanced.notify();
    },
  };
}
