// What running a command through the command side gives back, for any aggregate: the shapes its ports
// (jobCommands.ts) share with the loop that implements them (commands/executeCommand.ts).
import type { EventMetadata } from "../../schemas/events/eventMetadata.ts";

/** Who asks and why; `occurredAt` and `schemaVersion` are filled in per event. */
export type CommandContext = Omit<EventMetadata, "occurredAt" | "schemaVersion">;

export interface Loaded<State> {
  state: State;
  revision: number | "no_stream";
  /** Position of the stream's last event (0 when there is none). */
  position: number;
}

export type Executed<E, State> = {
  _tag: "Executed";
  /** The events this command appended (empty when it was a repeat with nothing new). */
  events: E[];
  state: State;
  /** Position of the stream's last event after the command (read-your-writes). */
  position: number;
};
