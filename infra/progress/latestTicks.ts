// The latest tick of each task of the jobs a process has seen, in bounded memory: the least recently
// ticking job is evicted past `maxJobs`, and a forgotten (ended) job is not tracked again by a late tick.
import type { ProgressTick } from "../../domain/ports/progressBus.ts";

export interface LatestTicksOptions {
  /** Jobs tracked at once (default 10,000). */
  maxJobs?: number;
  /** Tasks tracked per job (default 1,000); ticks of further tasks are not tracked. */
  maxTasksPerJob?: number;
}

export interface LatestTicks {
  record(tick: ProgressTick): void;
  latest(jobId: string): ProgressTick[];
  forget(jobId: string): void;
}

export function createLatestTicks(options: LatestTicksOptions = {}): LatestTicks {
  const maxJobs = options.maxJobs ?? 10_000;
  const maxTasksPerJob = options.maxTasksPerJob ?? 1_000;
  // insertion order is recency order: a job that ticks is moved to the end
  const jobs = new Map<string, Map<string, ProgressTick>>();
  // ended jobs, oldest first, so that a tick still in flight when a job ends cannot bring it back
  const forgotten = new Set<string>();

  return {
    record(tick) {
      if (forgotten.has(tick.jobId)) return;
      const tasks = jobs.get(tick.jobId) ?? new Map<string, ProgressTick>();
      jobs.delete(tick.jobId);
      jobs.set(tick.jobId, tasks);
      const previous = tasks.get(tick.taskId);
      // a stale attempt still reporting must not hide the attempt that replaced it
      if (previous && previous.attempt > tick.attempt) return;
      if (!previous && tasks.size >= maxTasksPerJob) return;
      tasks.set(tick.taskId, tick);
      for (const oldest of jobs.keys()) {
        if (jobs.size <= maxJobs) break;
        jobs.delete(oldest);
      }
    },
    latest: (jobId) => [...(jobs.get(jobId)?.values() ?? [])],
    forget(jobId) {
      jobs.delete(jobId);
      forgotten.delete(jobId);
      forgotten.add(jobId);
      for (const oldest of forgotten) {
        if (forgotten.size <= maxJobs) break;
        forgotten.delete(oldest);
      }
    },
  };
}
