// Encoder progress for every feed client of the process from one subscription of the bus: ticks are
// throttled per job once, not once per client, and rendered once. What the jobs emit within one
// interval goes out together, so a client gets one write per interval however many jobs encode. The
// bus is followed while a client listens.
import type { ProgressBus, ProgressTick } from "../../domain/ports/progressBus.ts";
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
  // task → its latest tick emitted since the last flush, in the order of their latest emission
  let pending = new Map<string, ProgressTick>();
  let flushing: NodeJS.Timeout | undefined;
  let lastFlushAt = Number.NEGATIVE_INFINITY;

  const flush = () => {
    flushing = undefined;
    lastFlushAt = performance.now();
    const ticks = [...pending.values()];
    pending = new Map();
    const frames = ticks.map((tick) => ({ jobId: tick.jobId, frame: feedFrames.progress(tick) }));
    const all = Buffer.concat(frames.map(({ frame }) => frame));
    const ofJob = new Map<string, Uint8Array>();
    for (const listener of listeners) {
      const { jobId } = listener;
      let frame: Uint8Array = all;
      if (jobId !== undefined) {
        frame =
          ofJob.get(jobId) ?? Buffer.concat(frames.filter((f) => f.jobId === jobId).map((f) => f.frame));
        ofJob.set(jobId, frame);
      }
      if (frame.length > 0) listener.send(frame);
    }
  };

  const emit = (tick: ProgressTick) => {
    const task = `${tick.jobId}/${tick.taskId}`;
    pending.delete(task);
    pending.set(task, tick);
    if (flushing !== undefined) return;
    flushing = setTimeout(flush, Math.max(0, lastFlushAt + intervalMs - performance.now()));
  };

  const follow = () => {
    const throttle = createProgressThrottle({ intervalMs, emit });
    return { throttle, unsubscribe: progressBus.subscribe((tick) => throttle.push(tick)) };
  };

  const stopFollowing = () => {
    if (following === undefined) return;
    following.unsubscribe();
    following.throttle.close();
    following = undefined;
    clearTimeout(flushing);
    flushing = undefined;
    pending = new Map();
  };

  return {
    join(listener) {
      listeners.add(listener);
      following ??= follow();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) stopFollowing();
      };
    },
  };
}
