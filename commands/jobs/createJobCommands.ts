// The command side's implementation of the JobCommands port, handed by the composition root to the
// reactors and workers that act on jobs.
import type { JobCommands } from "../../domain/ports/jobCommands.ts";
import { type CommandDeps, createAggregateCache } from "../executeCommand.ts";
import { executeJobCommand, jobIsLive, loadJob } from "./executeJobCommand.ts";

/** Jobs' states are cached per instance (one per process): each load reads only the newer events. */
export const createJobCommands = (deps: CommandDeps): JobCommands => {
  const cached = { ...deps, cache: deps.cache ?? createAggregateCache() };
  return {
    execute: (jobId, command, context) => executeJobCommand(cached, jobId, command, context),
    load: (jobId) => loadJob(cached.store, jobId, cached.cache),
    isLive: (jobId) => jobIsLive(cached.store, jobId),
  };
};
