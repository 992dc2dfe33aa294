// Worker commands through the command side's loop (load → decide → append at the revision read).

import type { WorkerCommand } from "../../domain/worker/workerCommands.ts";
import { workerDecider } from "../../domain/worker/workerDecider.ts";
import type { WorkerRejected } from "../../domain/worker/workerRejected.ts";
import type { WorkerState } from "../../domain/worker/workerState.ts";
import { workerStream } from "../../schemas/events/streamNames.ts";
import { parseWorkerEvent, type WorkerEvent } from "../../schemas/events/workerEvents.ts";
import { type CommandContext, type CommandDeps, type Executed, executeCommand } from "../executeCommand.ts";

export type WorkerCommandResult = Executed<WorkerEvent, WorkerState> | WorkerRejected;

const workerAggregate = {
  name: "worker",
  streamId: workerStream.name,
  parse: parseWorkerEvent,
  ...workerDecider,
};

export const executeWorkerCommand = (
  deps: CommandDeps,
  command: WorkerCommand,
  context: CommandContext,
): Promise<WorkerCommandResult> =>
  executeCommand(deps, workerAggregate, command.data.workerId, command, context);
