// How reactors act on a worker without holding the command side: the kernel hands them an
// implementation (commands/workers/executeWorkerCommand.ts) that loads, decides and appends for them.
import type { WorkerEvent } from "../../schemas/events/workerEvents.ts";
import type { WorkerCommand } from "../worker/workerCommands.ts";
import type { WorkerRejected } from "../worker/workerRejected.ts";
import type { WorkerState } from "../worker/workerState.ts";
import type { CommandContext, Executed } from "./commandOutcome.ts";

export type WorkerCommandResult = Executed<WorkerEvent, WorkerState> | WorkerRejected;

export interface WorkerCommands {
  execute(command: WorkerCommand, context: CommandContext): Promise<WorkerCommandResult>;
}
