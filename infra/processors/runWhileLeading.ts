// Single-active roles that are not subscribers with a checkpoint (the restream supervisor): among all
// kernels on one database only the holder of the role's advisory lock runs it. A kernel that loses its
// lock's connection stops its instance at once; one that dies frees the lock, and a kernel standing by
// takes it within a poll and starts its own, which resumes from the log.
import type pg from "pg";
import { sleepUnlessAborted } from "../../workers/sleepUnlessAborted.ts";
import { type Lead, takeLead } from "./processorLeadership.ts";

export interface LeadingRole<T extends { stop(): Promise<void> }> {
  /** The instance running here while this process leads; null while it stands by. */
  current(): T | null;
  state(): "leading" | "standby" | "stopped";
  stop(): Promise<void>;
}

export interface RunWhileLeadingOptions<T extends { stop(): Promise<void> }> {
  pool: pg.Pool;
  /** The advisory lock's name, `webencode-<role>:<schema>`. */
  key: string;
  /** Said in the log: "restream supervisor". */
  title: string;
  /** How often a standby tries the lock. */
  standbyPollMs?: number;
  start(): T;
  log(level: "info" | "error", message: string): void;
}

export function runWhileLeading<T extends { stop(): Promise<void> }>(
  options: RunWhileLeadingOptions<T>,
): LeadingRole<T> {
  const stopping = new AbortController();
  let instance: T | null = null;
  let state: "leading" | "standby" | "stopped" = "standby";

  const leadOnce = async (lead: Lead) => {
    instance = options.start();
    state = "leading";
    options.log("info", `${options.title} leads`);
    const ended = AbortSignal.any([stopping.signal, lead.lost]);
    await new Promise<void>((resolve) => {
      if (ended.aborted) resolve();
      else ended.addEventListener("abort", () => resolve(), { once: true });
    });
    if (lead.lost.aborted && !stopping.signal.aborted)
      options.log("error", `${options.title}: lost its database connection; standing by`);
    const running = instance;
    instance = null;
    state = "standby";
    // before the lock is released (a lost one is free already: stop at once), so no two kernels run it
    await running.stop();
  };

  const done = (async () => {
    while (!stopping.signal.aborted) {
      let lead: Lead | null = null;
      let failed = false;
      try {
        lead = await takeLead(options.pool, options.key, options.standbyPollMs ?? 1_000, stopping.signal);
        if (lead === null) break;
        await leadOnce(lead);
        failed = lead.lost.aborted;
      } catch (error) {
        if (stopping.signal.aborted) break;
        failed = true;
        options.log("error", `${options.title}: ${(error as Error).message}; again in 1 s`);
      } finally {
        await lead?.release();
      }
      if (failed) await sleepUnlessAborted(1_000, stopping.signal);
    }
    state = "stopped";
  })();

  return {
    current: () => instance,
    state: () => state,
    async stop() {
      stopping.abort();
      await done;
    },
  };
}
