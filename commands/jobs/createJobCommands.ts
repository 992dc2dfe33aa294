// The command side's implementation of the JobCommands port, handed by the composition root to the
// reactors and workers that act on jobs.
import type { JobCommands } from "../../domain/ports/jobCommands.ts";
import type { CommandDeps } from "../executeCommand.ts";
import { executeJobCommand, jobIsLive, loadJob } from "./executeJobCommand.ts";

export const createJobCommands = (deps: CommandDeps): JobCommands => ({
  execute: (jobId, command, context) => executeJobCommand(deps, jobId, command, context),
  load: (jobId) => loadJob(deps.store, jobId),
  isLive: (jobId) => jobIsLive(deps.store, jobId),
});
