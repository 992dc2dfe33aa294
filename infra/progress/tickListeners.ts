// The listeners of one bus: each gets every tick, and one that throws cannot stop the others or the
// publisher (a feed's bug must not break an encoder's progress reporting).
import type { ProgressTick } from "../../domain/ports/progressBus.ts";

export interface TickListeners {
  add(listener: (tick: ProgressTick) => void): () => void;
  deliver(tick: ProgressTick): void;
  clear(): void;
}

export function createTickListeners(onError: (error: unknown) => void): TickListeners {
  let listeners = new Set<(tick: ProgressTick) => void>();
  return {
    add(listener) {
      // a wrapper of its own, so subscribing one function twice gives two independent subscriptions
      const entry = (tick: ProgressTick) => listener(tick);
      listeners.add(entry);
      return () => void listeners.delete(entry);
    },
    deliver(tick) {
      for (const listener of [...listeners]) {
        if (!listeners.has(listener)) continue; // unsubscribed by an earlier listener of this tick
        try {
          listener(tick);
        } catch (error) {
          onError(error);
        }
      }
    },
    clear() {
      listeners = new Set();
    },
  };
}
