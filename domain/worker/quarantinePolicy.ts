// When a worker is quarantined: the spec's "fails the same task class repeatedly", as a number of failed
// attempts in a row, all of one class, within a window. A corrupt input or a cancel is not the worker's
// doing and neither counts nor breaks the run; a completed attempt ends it.
import type { ExitClass } from "../../schemas/events/jobEvents.ts";
import type { WorkerFaultClass } from "../../schemas/events/workerEvents.ts";
import type { FailureStreak } from "./workerState.ts";

export const quarantinePolicy = {
  failuresInARow: 3,
  windowMs: 30 * 60_000,
  /** Failures that may be the worker's: its machine, its ffmpeg, its memory, its network. */
  countsAgainstWorker: (exitClass: ExitClass): exitClass is WorkerFaultClass =>
    exitClass === "transient" || exitClass === "oom" || exitClass === "timeout" || exitClass === "stalled",
  /** The run of failures once `failure` is added: one of another class starts a new run. */
  streakAfter(
    streak: FailureStreak | null,
    failure: { key: string; exitClass: WorkerFaultClass; failedAt: string },
  ): FailureStreak {
    const at = Date.parse(failure.failedAt);
    const earlier =
      streak?.exitClass === failure.exitClass
        ? streak.attempts.filter((a) => at - Date.parse(a.failedAt) <= quarantinePolicy.windowMs)
        : [];
    return {
      exitClass: failure.exitClass,
      attempts: [...earlier, { key: failure.key, failedAt: failure.failedAt }],
    };
  },
  quarantines: (streak: FailureStreak): boolean => streak.attempts.length >= quarantinePolicy.failuresInARow,
  /** Tells one task attempt from every other, so a repeated record counts once. */
  attemptKey: ({ jobId, taskId, attempt }: { jobId: string; taskId: string; attempt: number }): string =>
    `${jobId}/${taskId}/${attempt}`,
} as const;
