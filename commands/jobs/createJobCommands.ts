// The command side's implementation of the JobCommands port, handed by the composition root to the
// reactors and workers that act on jobs.
import type { JobCommands } from "../../domain/ports/jobCommands.ts";
import { type CommandDeps, createAggregateCache } from "../executeCommand.ts";
import { createKeyedQueue } from "../keyedQueue.ts";
import { executeJobCommand, jobIsLive, loadJob } from "./executeJobCommand.ts";

/**
 * Jobs' states are cached per instance (one per process): each load reads only the newer events; and
 * one job's commands run one at a time in this process, so its own writers never conflict.
 */
export const createJobCommands = (deps: CommandDeps): JobCommands => {
  const cached = { ...deps, cache: deps.cache ?? createAggregateCache() };
  const perJob = createKeyedQueue();
  return {
    execute: (jobId, command, context) =>
      perJob.run(jobId, () => executeJobCommand(cached, jobId, command, context)),
    load: (jobId) => loadJob(cached.store, jobId, cached.cache),
    isLive: (jobId) => jobIsLive(cached.store, jobId),
  };
};
