// When a failed task is tried again. The spec's backoff, counted from the attempt that failed:
// delay = min(5 s · 2^(attempt-1), 5 min), so attempts 1, 2, 3 wait 5 s, 10 s, 20 s.
import type { ExitClass } from "../../schemas/events/jobEvents.ts";

export const retryPolicy = {
  baseDelayMs: 5_000,
  maxDelayMs: 5 * 60_000,
  defaultMaxAttempts: 3,
  /** A corrupt input fails the same way every time; a cancelled task was stopped on purpose. */
  retryableExitClasses: ["transient", "oom", "timeout", "stalled"] as readonly ExitClass[],
} as const;

export function retryDelayMs(failedAttempt: number): number {
  const exponent = Math.max(0, Math.floor(failedAttempt) - 1);
  return Math.min(retryPolicy.baseDelayMs * 2 ** exponent, retryPolicy.maxDelayMs);
}

export const isRetryable = (exitClass: ExitClass): boolean =>
  retryPolicy.retryableExitClasses.includes(exitClass);
