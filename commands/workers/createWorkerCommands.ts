// The worker-command port for reactors, which do not hold the command side.
import type { WorkerCommands } from "../../domain/ports/workerCommands.ts";
import type { CommandDeps } from "../executeCommand.ts";
import { executeWorkerCommand } from "./executeWorkerCommand.ts";

export const createWorkerCommands = (deps: CommandDeps): WorkerCommands => ({
  execute: (command, context) => executeWorkerCommand(deps, command, context),
});
