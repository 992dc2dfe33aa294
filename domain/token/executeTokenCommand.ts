// Load the token stream, fold it, decide, append at the revision read; on a concurrent write, reload and
// decide again. Does I/O only through the event-store port.
import { currentSchemaVersion } from "../../schemas/events/currentSchemaVersion.ts";
import type { EventMetadata } from "../../schemas/events/eventMetadata.ts";
import { parseTokenEvent, type TokenEvent, tokenStreamId } from "../../schemas/events/tokenEvents.ts";
import type { EventData, EventStore } from "../ports/eventStore.ts";
import type { TokenCommand } from "./tokenCommands.ts";
import { tokenDecider } from "./tokenDecider.ts";
import type { TokenRejected } from "./tokenRejected.ts";
import type { TokenState } from "./tokenState.ts";

/** Who asks and why; `occurredAt` and `schemaVersion` are filled in per event. */
export type TokenCommandContext = Omit<EventMetadata, "occurredAt" | "schemaVersion">;

export interface TokenCommandDeps {
  store: EventStore;
  newId: () => string;
  now: () => Date;
}

export type TokenCommandResult =
  | { _tag: "Executed"; events: TokenEvent[]; state: TokenState; position: number }
  | TokenRejected;

export interface LoadedToken {
  state: TokenState;
  revision: number | "no_stream";
}

export async function loadToken(store: EventStore, tokenId: string): Promise<LoadedToken> {
  const recorded = await store.readStream(tokenStreamId(tokenId));
  let state = tokenDecider.initialState();
  for (const event of recorded) {
    const parsed = parseTokenEvent(event);
    if (parsed._tag !== "Parsed") {
      throw new Error(`token ${tokenId}: cannot read event at revision ${event.revision}: ${parsed._tag}`);
    }
    state = tokenDecider.evolve(state, parsed.event);
  }
  const last = recorded.at(-1);
  return { state, revision: last ? last.revision : "no_stream" };
}

const MAX_ATTEMPTS = 8;

export async function executeTokenCommand(
  deps: TokenCommandDeps,
  command: TokenCommand,
  context: TokenCommandContext,
): Promise<TokenCommandResult> {
  const { tokenId } = command.data;
  for (let attempt = 1; ; attempt++) {
    const loaded = await loadToken(deps.store, tokenId);
    const decision = tokenDecider.decide(command, loaded.state);
    if (decision._tag === "TokenRejected") return decision;
    const occurredAt = deps.now().toISOString();
    const data: EventData[] = decision.events.map((event) => ({
      id: deps.newId(),
      type: event.type,
      data: event.data,
      metadata: { ...context, occurredAt, schemaVersion: currentSchemaVersion(event.type) },
    }));
    const outcome = await deps.store.append(tokenStreamId(tokenId), data, {
      expected: loaded.revision === "no_stream" ? "no_stream" : loaded.revision,
    });
    if (outcome._tag === "Appended") {
      return {
        _tag: "Executed",
        events: decision.events,
        state: decision.events.reduce(tokenDecider.evolve, loaded.state),
        position: outcome.position,
      };
    }
    if (outcome._tag === "StreamDeleted")
      throw new Error(`token stream ${tokenStreamId(tokenId)} is deleted`);
    if (attempt >= MAX_ATTEMPTS) {
      throw new Error(`token ${tokenId}: gave up after ${attempt} concurrent-write conflicts`);
    }
  }
}
