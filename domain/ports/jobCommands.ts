// How reactors and workers act on a job without holding the command side: the kernel hands them an
// implementation (commands/jobs/createJobCommands.ts) that loads, decides and appends for them.
import type { JobEvent } from "../../schemas/events/jobEvents.ts";
import type { JobCommand } from "../job/commands.ts";
import type { JobRejected } from "../job/jobRejected.ts";
import type { JobState } from "../job/jobState.ts";
import type { CommandContext, Executed, Loaded } from "./commandOutcome.ts";

export type JobCommandResult = Executed<JobEvent, JobState> | JobRejected;
export type LoadedJob = Loaded<JobState>;

export interface JobCommands {
  /** Decides `command` (or the command made from the current state) and appends, retrying on conflicts. */
  execute(
    jobId: string,
    command: JobCommand | ((state: JobState) => JobCommand),
    context: CommandContext,
  ): Promise<JobCommandResult>;
  load(jobId: string): Promise<LoadedJob>;
  /** The job was submitted and not deleted: what its outputs and links need to exist. */
  isLive(jobId: string): Promise<boolean>;
}
