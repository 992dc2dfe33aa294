// Error commands through the command side's loop (load → decide → append at the revision read).
import type { ErrorCommand } from "../../domain/error/errorCommands.ts";
import { errorDecider } from "../../domain/error/errorDecider.ts";
import type { ErrorRejected } from "../../domain/error/errorRejected.ts";
import type { ErrorState } from "../../domain/error/errorState.ts";
import { type ErrorEvent, parseErrorEvent } from "../../schemas/events/errorEvents.ts";
import { errorStream } from "../../schemas/events/streamNames.ts";
import { type CommandContext, type CommandDeps, type Executed, executeCommand } from "../executeCommand.ts";

export type ErrorCommandResult = Executed<ErrorEvent, ErrorState> | ErrorRejected;

const errorAggregate = {
  name: "error",
  streamId: errorStream.name,
  parse: parseErrorEvent,
  ...errorDecider,
};

export const executeErrorCommand = (
  deps: CommandDeps,
  command: ErrorCommand,
  context: CommandContext,
): Promise<ErrorCommandResult> =>
  executeCommand(deps, errorAggregate, command.data.errorId, command, context);
