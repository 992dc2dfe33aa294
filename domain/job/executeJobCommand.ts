// Job commands through the command loop of domain/executeCommand.ts.

import type { JobEvent } from "../../schemas/events/jobEvents.ts";
import { parseStoredEvent } from "../../schemas/events/parseStoredEvent.ts";
import { jobStream } from "../../schemas/events/streamNames.ts";
import {
  type CommandContext,
  type CommandDeps,
  type Executed,
  executeCommand,
  type Loaded,
  loadAggregate,
} from "../executeCommand.ts";
import type { EventStore } from "../ports/eventStore.ts";
import type { JobCommand } from "./commands.ts";
import { jobDecider } from "./jobDecider.ts";
import type { JobRejected } from "./jobRejected.ts";
import type { JobState } from "./jobState.ts";

export type { CommandContext } from "../executeCommand.ts";
export type JobCommandDeps = CommandDeps;
export type JobCommandResult = Executed<JobEvent, JobState> | JobRejected;
export type LoadedJob = Loaded<JobState>;

const jobAggregate = {
  name: "job",
  streamId: jobStream.name,
  parse: parseStoredEvent,
  ...jobDecider,
};

export const loadJob = (store: EventStore, jobId: string): Promise<LoadedJob> =>
  loadAggregate(store, jobAggregate, jobId);

export const executeJobCommand = (
  deps: JobCommandDeps,
  jobId: string,
  command: JobCommand | ((state: JobState) => JobCommand),
  context: CommandContext,
): Promise<JobCommandResult> => executeCommand(deps, jobAggregate, jobId, command, context);

/**
 * The job was submitted and not deleted: what its outputs and links need to exist. Asked on every
 * download (each range request of a player), so it reads one event, not the whole stream: the decider
 * accepts no command after JobDeleted, so a deleted job's last event is always JobDeleted.
 */
export async function jobIsLive(store: EventStore, jobId: string): Promise<boolean> {
  const [last] = await store.readStream(jobStream.name(jobId), { direction: "backwards", maxCount: 1 });
  return last !== undefined && last.type !== "JobDeleted";
}
