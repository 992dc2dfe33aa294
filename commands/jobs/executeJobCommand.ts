// Job commands through the command loop of commands/executeCommand.ts.

import type { JobCommand } from "../../domain/job/commands.ts";
import { jobDecider } from "../../domain/job/jobDecider.ts";
import type { JobState } from "../../domain/job/jobState.ts";
import type { CommandContext } from "../../domain/ports/commandOutcome.ts";
import type { EventStore } from "../../domain/ports/eventStore.ts";
import type { JobCommandResult, LoadedJob } from "../../domain/ports/jobCommands.ts";
import { parseStoredEvent } from "../../schemas/events/parseStoredEvent.ts";
import { jobStream } from "../../schemas/events/streamNames.ts";
import { type AggregateCache, type CommandDeps, executeCommand, loadAggregate } from "../executeCommand.ts";

export type JobCommandDeps = CommandDeps;

const jobAggregate = {
  name: "job",
  streamId: jobStream.name,
  parse: parseStoredEvent,
  ...jobDecider,
};

export const loadJob = (store: EventStore, jobId: string, cache?: AggregateCache): Promise<LoadedJob> =>
  loadAggregate(store, jobAggregate, jobId, cache);

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
