// Worker commands through the command side's loop (load → decide → append at the revision read).

import type { WorkerCommandResult } from "../../domain/ports/workerCommands.ts";
import type { WorkerCommand } from "../../domain/worker/workerCommands.ts";
import { workerDecider } from "../../domain/worker/workerDecider.ts";
import { workerStream } from "../../schemas/events/streamNames.ts";
import { parseWorkerEvent } from "../../schemas/events/workerEvents.ts";
import { type CommandContext, type CommandDeps, executeCommand } from "../executeCommand.ts";

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
