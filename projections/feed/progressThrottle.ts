// At most one progress frame per job every `intervalMs` (4 a second by default). Ticks that arrive
// in between are coalesced to the latest of each task and sent oldest-waiting task first, so a job
// with many tasks updates each of them in turn and the last tick of every task is never lost.
import type { ProgressTick } from "../../domain/ports/progressBus.ts";

export interface ProgressThrottle {
  push(tick: ProgressTick): void;
  close(): void;
}

interface JobSlot {
  /** Task id → its latest tick not sent yet; insertion order is waiting order. */
  waiting: Map<string, ProgressTick>;
  timer: NodeJS.Timeout;
}

export function createProgressThrottle(options: {
  emit: (tick: ProgressTick) => void;
  intervalMs?: number;
}): ProgressThrottle {
  const intervalMs = options.intervalMs ?? 250;
  // a job is here while its interval runs; an idle job costs nothing
  const jobs = new Map<string, JobSlot>();

  const startInterval = (jobId: string, waiting: Map<string, ProgressTick>) => {
    jobs.set(jobId, { waiting, timer: setTimeout(() => next(jobId), intervalMs) });
  };

  function next(jobId: string) {
    const slot = jobs.get(jobId);
    jobs.delete(jobId);
    const [taskId, tick] = slot?.waiting.entries().next().value ?? [];
    if (slot === undefined || taskId === undefined || tick === undefined) return;
    slot.waiting.delete(taskId);
    startInterval(jobId, slot.waiting);
    options.emit(tick);
  }

  return {
    push(tick) {
      const slot = jobs.get(tick.jobId);
      if (slot) {
        slot.waiting.set(tick.taskId, tick); // keeps the task's place in line
        return;
      }
      startInterval(tick.jobId, new Map());
      options.emit(tick);
    },
    close() {
      for (const slot of jobs.values()) clearTimeout(slot.timer);
      jobs.clear();
    },
  };
}
