// Encoder progress for every feed client of the process from one subscription of the bus: ticks are
// throttled per job once, not once per client, and each tick's frame is rendered once and its bytes
// shared, so that a tick costs a client one write and nothing else. The bus is followed while a
// client listens.
import type { ProgressBus } from "../../domain/ports/progressBus.ts";
import { feedFrames } from "./feedFrames.ts";
import type { Frame } from "./feedOutbox.ts";
import { createProgressThrottle, type ProgressThrottle } from "./progressThrottle.ts";

export interface ProgressListener {
  /** Only this job's ticks; every job's when undefined. */
  jobId: string | undefined;
  /** Must not block: a client with no room for the tick drops it. */
  send(frame: Frame): void;
}

export interface ProgressFanOut {
  /** Returns the function that leaves. */
  join(listener: ProgressListener): () => void;
}

export interface ProgressFanOutOptions {
  progressBus: ProgressBus;
  /** Least time between two progress frames of one job. */
  intervalMs: number;
}

export function createProgressFanOut({ progressBus, intervalMs }: ProgressFanOutOptions): ProgressFanOut {
  const listeners = new Set<ProgressListener>();
  let following: { throttle: ProgressThrottle; unsubscribe(): void } | undefined;

  const follow = () => {
    const throttle = createProgressThrottle({
      intervalMs,
      emit(tick) {
        const frame = feedFrames.progress(tick);
        for (const listener of listeners) {
          if (listener.jobId === undefined || listener.jobId === tick.jobId) listener.send(frame);
        }
      },
    });
    return { throttle, unsubscribe: progressBus.subscribe((tick) => throttle.push(tick)) };
  };

  return {
    join(listener) {
      listeners.add(listener);
      following ??= follow();
      return () => {
        listeners.delete(listener);
        if (listeners.size > 0 || following === undefined) return;
        following.unsubscribe();
        following.throttle.close();
        following = undefined;
      };
    },
  };
}
