// One subscription of the log per process, fanned out to every live feed client, so that an idle
// client costs the database nothing however many there are. A client joins, catches up on its own from
// where it resumes, then takes what the tail hands it; the head it joined at marks the hand-over.
import type { EventStore, RecordedEvent, Subscription } from "../../domain/ports/eventStore.ts";

/** The last event the tail handed out when a listener joined: everything after it reaches the listener. */
export interface TailHead {
  position: number;
  /** Null on a store that has never held an event. */
  checkpoint: string | null;
}

export interface TailListener {
  /** Each new event, in log order. Must not block: keep it and act on it in `flush`. */
  event(event: RecordedEvent): void;
  /** After a run of events (one read of the log): act on what was kept. */
  flush(): void;
}

export interface TailMembership {
  /** Undefined when the store cannot say where a catch-up ends: no hand-over can be exact. */
  head: TailHead | undefined;
  leave(): void;
}

export interface FeedTail {
  /** Starts following the log if it does not yet; resolves once the head is known. */
  join(listener: TailListener): Promise<TailMembership>;
  /** Listeners now joined. */
  readonly size: number;
  close(): Promise<void>;
}

export interface FeedTailOptions {
  store: EventStore;
  /** Before following the log again after the subscription failed (default 1 s). */
  retryMs?: number;
  onError?: (error: Error) => void;
}

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(error: Error): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {}); // read by join; nobody else need ever look
  return { promise, resolve, reject };
}

const asError = (error: unknown) => (error instanceof Error ? error : new Error(String(error)));

export function createFeedTail({ store, retryMs = 1000, onError = () => {} }: FeedTailOptions): FeedTail {
  const listeners = new Set<TailListener>();
  let head: TailHead | undefined;
  let caughtUp = false;
  let positionsKnown = true;
  let ready: Deferred | undefined;
  let following: Promise<void> | undefined;
  let subscription: Subscription | undefined;
  let closed = false;
  let flushScheduled = false;
  let nextFlushAt = 0;
  let endRetryWait = () => {};

  const each = (call: (listener: TailListener) => void) => {
    for (const listener of listeners) {
      try {
        call(listener);
      } catch (error) {
        onError(asError(error)); // one broken client must not cost the others their events
      }
    }
  };

  // The events of one read of the log arrive in one turn of the event loop: flush once after it. A
  // flush to thousands of clients takes a while (a write to each); after one that took t, the next
  // waits t, so that the events arriving meanwhile go out together, one write per client for all,
  // and fanning out never takes more than half the process's time however fast events come.
  const flush = () => {
    flushScheduled = false;
    const started = performance.now();
    each((listener) => listener.flush());
    // Node sends what a response was given on the next tick (it corks the socket until then): a
    // tick queued now runs after those writes, where the fan-out truly ends
    process.nextTick(() => {
      const ended = performance.now();
      nextFlushAt = ended + (ended - started);
    });
  };
  const scheduleFlush = () => {
    if (flushScheduled) return;
    flushScheduled = true;
    const wait = nextFlushAt - performance.now();
    if (wait > 0) setTimeout(flush, wait);
    else setImmediate(flush);
  };

  async function followOnce() {
    // after a failure, resume exactly after the last event handed out: listeners see no gap
    subscription = store.subscribeToAll({ from: head?.checkpoint ?? (head ? "start" : "end") });
    for await (const message of subscription) {
      if (message.type === "event") {
        const { event } = message;
        head = { position: event.position, checkpoint: event.checkpoint };
        each((listener) => listener.event(event));
        scheduleFlush();
      } else if (message.type === "caughtUp" && !caughtUp) {
        // events appended while the tail started may come before this: it is ready all the same
        caughtUp = true;
        positionsKnown = message.position !== undefined;
        head = { position: message.position ?? head?.position ?? 0, checkpoint: message.checkpoint };
        ready?.resolve();
      }
    }
  }

  async function follow() {
    while (!closed) {
      try {
        await followOnce();
      } catch (error) {
        if (closed) break;
        onError(asError(error));
        if (!caughtUp) {
          ready?.reject(asError(error));
          ready = deferred();
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, retryMs);
          endRetryWait = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  }

  return {
    async join(listener) {
      if (closed) throw new Error("the feed tail is closed");
      if (!following) {
        ready = deferred();
        following = follow();
      }
      if (!caughtUp) await ready!.promise;
      listeners.add(listener);
      return {
        head: positionsKnown ? { ...head! } : undefined,
        leave: () => listeners.delete(listener),
      };
    },
    get size() {
      return listeners.size;
    },
    async close() {
      closed = true;
      endRetryWait();
      listeners.clear();
      await subscription?.close().catch(() => {});
      await following;
    },
  };
}
