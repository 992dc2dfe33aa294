// In-process work queue for the embedded mode (`webencode up`) and unit tests: the JetStream
// adapter's semantics (dedupe window, ack-wait redelivery, nak delays, not-before) in one process.
import type { JsonObject } from "../../../domain/ports/eventStore.ts";
import type { ConsumeOptions, WorkLane, WorkMessage, WorkQueue } from "../../../domain/ports/workQueue.ts";

export interface MemoryWorkQueueOptions {
  /** Default for consumers that do not set their own. */
  ackWaitMs?: number;
  dedupeWindowMs?: number;
}

type Held = { kind: "waiting"; availableAt: number } | { kind: "inFlight"; delivery: number };

interface Entry {
  /** Publish order; an id published again after its dedupe window is a second entry, as in JetStream. */
  seq: number;
  id: string;
  payload: JsonObject;
  lane: WorkLane;
  deliveries: number;
  held: Held;
  /** Fires when a waiting entry becomes available or an in-flight one's ack-wait runs out. */
  timer?: NodeJS.Timeout;
}

interface Waiter {
  ackWaitMs: number;
  lane: WorkLane;
  take(entry: Entry | undefined): void;
}

export function createMemoryWorkQueue(options: MemoryWorkQueueOptions = {}): WorkQueue {
  const defaultAckWaitMs = options.ackWaitMs ?? 30_000;
  const dedupeWindowMs = options.dedupeWindowMs ?? 600_000;
  // insertion order is publish order, so the oldest available message goes first
  const entries = new Map<number, Entry>();
  let lastSeq = 0;
  // id → expiry; insertion order is expiry order because the window is fixed
  const seen = new Map<string, number>();
  const waiters: Waiter[] = [];
  let closed = false;

  const schedule = (entry: Entry, delayMs: number, fire: () => void) => {
    clearTimeout(entry.timer);
    entry.timer = setTimeout(fire, Math.max(0, delayMs)).unref();
  };

  const makeWaiting = (entry: Entry, availableAt: number) => {
    entry.held = { kind: "waiting", availableAt };
    clearTimeout(entry.timer);
    entry.timer = undefined;
    // A timer may fire a millisecond before Date.now() reaches its time; then wait out the rest, or the
    // message would stay unavailable until something else happened to pump.
    const wake = () => {
      const delay = availableAt - Date.now();
      if (delay > 0) schedule(entry, delay, wake);
      else pump();
    };
    wake();
  };

  const remove = (entry: Entry) => {
    clearTimeout(entry.timer);
    entries.delete(entry.seq);
  };

  const hand = (entry: Entry, ackWaitMs: number) => {
    entry.deliveries += 1;
    const delivery = entry.deliveries;
    entry.held = { kind: "inFlight", delivery };
    schedule(entry, ackWaitMs, () => makeWaiting(entry, Date.now()));
  };

  const nextAvailable = (lane: WorkLane): Entry | undefined => {
    const now = Date.now();
    for (const entry of entries.values()) {
      if (entry.lane === lane && entry.held.kind === "waiting" && entry.held.availableAt <= now) return entry;
    }
    return undefined;
  };

  function pump() {
    // waiters in the order they asked, each given the oldest available message of its lane
    for (const waiter of [...waiters]) {
      const entry = nextAvailable(waiter.lane);
      if (!entry) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      hand(entry, waiter.ackWaitMs);
      waiter.take(entry);
    }
  }

  const take = (signal: AbortSignal, ackWaitMs: number, lane: WorkLane): Promise<Entry | undefined> =>
    new Promise((resolve) => {
      if (closed || signal.aborted) return resolve(undefined);
      const waiter: Waiter = {
        ackWaitMs,
        lane,
        take(entry) {
          signal.removeEventListener("abort", onAbort);
          resolve(entry);
        },
      };
      const onAbort = () => {
        const index = waiters.indexOf(waiter);
        if (index >= 0) waiters.splice(index, 1);
        resolve(undefined);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      waiters.push(waiter);
      pump();
    });

  const message = (entry: Entry, ackWaitMs: number): WorkMessage => {
    const delivery = entry.deliveries;
    // nak and working only speak for the delivery that is still out; ack and term settle the message
    // whoever holds it, as JetStream settles by stream sequence
    const current = () =>
      entries.has(entry.seq) && entry.held.kind === "inFlight" && entry.held.delivery === delivery;
    return {
      id: entry.id,
      payload: entry.payload,
      deliveryCount: delivery,
      async ack() {
        remove(entry);
      },
      nak(delayMs = 0) {
        if (current()) makeWaiting(entry, Date.now() + delayMs);
      },
      working() {
        if (current()) schedule(entry, ackWaitMs, () => makeWaiting(entry, Date.now()));
      },
      term() {
        remove(entry);
      },
    };
  };

  return {
    async publish({ id, payload, notBefore, lane = "main" }) {
      if (closed) throw new Error("work queue is closed");
      const now = Date.now();
      for (const [seenId, expiresAt] of seen) {
        if (expiresAt > now) break;
        seen.delete(seenId);
      }
      if (seen.has(id)) return { duplicate: true };
      seen.set(id, now + dedupeWindowMs);
      const entry: Entry = {
        seq: ++lastSeq,
        id,
        // a copy through JSON, so a payload reads exactly as it would after a trip through NATS
        payload: JSON.parse(JSON.stringify(payload)) as JsonObject,
        lane,
        deliveries: 0,
        held: { kind: "waiting", availableAt: now },
      };
      entries.set(entry.seq, entry);
      makeWaiting(entry, notBefore?.getTime() ?? now);
      return { duplicate: false };
    },

    async *consume({ signal, ackWaitMs = defaultAckWaitMs, lane = "main" }: ConsumeOptions) {
      while (!closed && !signal.aborted) {
        const entry = await take(signal, ackWaitMs, lane);
        if (!entry) return;
        const handed = message(entry, ackWaitMs);
        // aborted between hand-out and yield: put it back rather than hand it to a stopped consumer
        if (signal.aborted || closed) {
          handed.nak();
          return;
        }
        yield handed;
      }
    },

    async depth() {
      return entries.size;
    },

    async close() {
      closed = true;
      for (const entry of entries.values()) clearTimeout(entry.timer);
      for (const waiter of waiters.splice(0)) waiter.take(undefined);
    },
  };
}
