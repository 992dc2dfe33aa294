// Stream commands through the command side's loop (load → decide → append at the revision read), and
// the load alone for whoever needs a stream as its log says it is now.
import type { EventStore } from "../../domain/ports/eventStore.ts";
import type { StreamCommand } from "../../domain/stream/streamCommands.ts";
import { streamDecider } from "../../domain/stream/streamDecider.ts";
import type { StreamRejected } from "../../domain/stream/streamRejected.ts";
import type { StreamState } from "../../domain/stream/streamState.ts";
import { parseStreamEvent, type StreamEvent } from "../../schemas/events/streamEvents.ts";
import { liveStream } from "../../schemas/events/streamNames.ts";
import {
  type CommandContext,
  type CommandDeps,
  type Executed,
  executeCommand,
  loadAggregate,
} from "../executeCommand.ts";

export type StreamCommandResult = Executed<StreamEvent, StreamState> | StreamRejected;

export const streamAggregate = {
  name: "stream",
  streamId: liveStream.name,
  parse: parseStreamEvent,
  ...streamDecider,
};

export const executeStreamCommand = (
  deps: CommandDeps,
  command: StreamCommand,
  context: CommandContext,
): Promise<StreamCommandResult> =>
  executeCommand(deps, streamAggregate, command.data.streamId, command, context);

/** The stream as its log says it is now (not the read model, which may lag). */
export async function loadStream(store: EventStore, streamId: string): Promise<StreamState> {
  return (await loadAggregate(store, streamAggregate, streamId)).state;
}
