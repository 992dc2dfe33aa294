// Restream commands through the command side's loop (load → decide → append at the revision read).
import type { EventStore } from "../../domain/ports/eventStore.ts";
import type { RestreamCommand } from "../../domain/restream/restreamCommands.ts";
import { restreamDecider } from "../../domain/restream/restreamDecider.ts";
import type { RestreamRejected } from "../../domain/restream/restreamRejected.ts";
import type { RestreamState } from "../../domain/restream/restreamState.ts";
import { parseRestreamEvent, type RestreamEvent } from "../../schemas/events/restreamEvents.ts";
import { restreamStream } from "../../schemas/events/streamNames.ts";
import {
  type CommandContext,
  type CommandDeps,
  type Executed,
  executeCommand,
  loadAggregate,
} from "../executeCommand.ts";

export type RestreamCommandResult = Executed<RestreamEvent, RestreamState> | RestreamRejected;

export const restreamAggregate = {
  name: "restream",
  streamId: restreamStream.name,
  parse: parseRestreamEvent,
  ...restreamDecider,
};

export const executeRestreamCommand = (
  deps: CommandDeps,
  command: RestreamCommand,
  context: CommandContext,
): Promise<RestreamCommandResult> =>
  executeCommand(deps, restreamAggregate, command.data.restreamId, command, context);

/** The restream as its stream says it is now (not the read model, which may lag). */
export async function loadRestream(store: EventStore, restreamId: string): Promise<RestreamState> {
  return (await loadAggregate(store, restreamAggregate, restreamId)).state;
}
