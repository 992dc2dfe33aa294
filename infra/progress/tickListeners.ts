// The listeners of one bus: each gets every tick (or heartbeat), and one that throws cannot stop the
// others or the publisher (a feed's bug must not break an encoder's progress reporting).
import type { ProgressTick } from "../../domain/ports/progressBus.ts";

export interface TickListeners<Message = ProgressTick> {
  add(listener: (tick: Message) => void): () => void;
  deliver(tick: Message): void;
  clear(): void;
}

export function createTickListeners<Message = ProgressTick>(
  onError: (error: unknown) => void,
): TickListeners<Message> {
  let listeners = new Set<(tick: Message) => void>();
  return {
    add(listener) {
      // a wrapper of its own, so subscribing one function twice gives two independent subscriptions
      const entry = (tick: Message) => listener(tick);
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
