// The command side's one loop, for any aggregate: load its stream, fold it, decide, append at the
// revision read; on a concurrent write, reload and decide again. I/O only through the event-store port.
import type { CommandContext, Executed, Loaded } from "../domain/ports/commandOutcome.ts";
import type { EventData, EventStore, RecordedEvent } from "../domain/ports/eventStore.ts";
import { currentSchemaVersion } from "../schemas/events/currentSchemaVersion.ts";

export type { CommandContext, Executed, Loaded } from "../domain/ports/commandOutcome.ts";

export interface CommandDeps {
  store: EventStore;
  newId: () => string;
  now: () => Date;
}

type Event = { type: string; data: object };

/** What the loop needs to know of an aggregate: its stream, how to read its events, its decider. */
export interface Aggregate<Command, E extends Event, State, Rejected extends { _tag: string }> {
  name: string;
  streamId(id: string): string;
  parse(recorded: RecordedEvent): { _tag: "Parsed"; event: E } | { _tag: string };
  decide(command: Command, state: State): { _tag: "Accepted"; events: E[] } | Rejected;
  evolve(state: State, event: E): State;
  initialState(): State;
}

export async function loadAggregate<C, E extends Event, S, R extends { _tag: string }>(
  store: EventStore,
  aggregate: Aggregate<C, E, S, R>,
  id: string,
): Promise<Loaded<S>> {
  const recorded = await store.readStream(aggregate.streamId(id));
  let state = aggregate.initialState();
  for (const event of recorded) {
    const parsed = aggregate.parse(event);
    if (parsed._tag !== "Parsed" || !("event" in parsed)) {
      throw new Error(
        `${aggregate.name} ${id}: cannot read event at revision ${event.revision}: ${parsed._tag}`,
      );
    }
    state = aggregate.evolve(state, parsed.event);
  }
  const last = recorded.at(-1);
  return { state, revision: last ? last.revision : "no_stream", position: last?.position ?? 0 };
}

const MAX_ATTEMPTS = 8;

export async function executeCommand<C, E extends Event, S, R extends { _tag: string }>(
  deps: CommandDeps,
  aggregate: Aggregate<C, E, S, R>,
  id: string,
  command: C | ((state: S) => C),
  context: CommandContext,
): Promise<Executed<E, S> | R> {
  for (let attempt = 1; ; attempt++) {
    const loaded = await loadAggregate(deps.store, aggregate, id);
    const decision = aggregate.decide(
      typeof command === "function" ? (command as (state: S) => C)(loaded.state) : command,
      loaded.state,
    );
    if (decision._tag !== "Accepted") return decision as R;
    const { events } = decision as { _tag: "Accepted"; events: E[] };
    if (events.length === 0)
      return { _tag: "Executed", events: [], state: loaded.state, position: loaded.position };
    const occurredAt = deps.now().toISOString();
    const data: EventData[] = events.map((event) => ({
      id: deps.newId(),
      type: event.type,
      data: event.data as EventData["data"],
      metadata: { ...context, occurredAt, schemaVersion: currentSchemaVersion(event.type) },
    }));
    const outcome = await deps.store.append(aggregate.streamId(id), data, {
      expected: loaded.revision === "no_stream" ? "no_stream" : loaded.revision,
    });
    if (outcome._tag === "Appended") {
      return {
        _tag: "Executed",
        events,
        state: events.reduce(aggregate.evolve, loaded.state),
        position: outcome.position,
      };
    }
    if (outcome._tag === "StreamDeleted")
      throw new Error(`${aggregate.name} stream ${aggregate.streamId(id)} is deleted`);
    if (attempt >= MAX_ATTEMPTS) {
      throw new Error(`${aggregate.name} ${id}: gave up after ${attempt} concurrent-write conflicts`);
    }
  }
}
