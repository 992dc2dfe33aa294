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
  /** States folded before, so a load reads only the events after them (createAggregateCache). */
  cache?: AggregateCache;
}

/**
 * The last state folded per aggregate, with its revision: a load reads the stream from the next
 * revision on and folds only what is new, instead of the whole stream every command (a split job's
 * stream grows by a few events per chunk, and every chunk's commands load it). The store stays the
 * truth: a cached state is only ever a prefix of what the stream holds, and states are immutable.
 */
export interface AggregateCache {
  get(key: string): Loaded<unknown> | undefined;
  set(key: string, loaded: Loaded<unknown>): void;
}

export function createAggregateCache(maxEntries = 2_000): AggregateCache {
  const entries = new Map<string, Loaded<unknown>>();
  return {
    get(key) {
      const loaded = entries.get(key);
      if (loaded !== undefined) {
        // most recently used last, so the oldest goes first
        entries.delete(key);
        entries.set(key, loaded);
      }
      return loaded;
    },
    set(key, loaded) {
      entries.delete(key);
      entries.set(key, loaded);
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    },
  };
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
  cache?: AggregateCache,
): Promise<Loaded<S>> {
  const key = `${aggregate.name}/${id}`;
  const cached = cache?.get(key) as Loaded<S> | undefined;
  if (cached !== undefined && cached.revision !== "no_stream") {
    const after = await store.readStream(aggregate.streamId(id), { from: cached.revision + 1 });
    // a stream cut or deleted since shows a revision other than the next: fold it whole again
    if (after.length === 0 || after[0]?.revision === cached.revision + 1) {
      const loaded = fold(aggregate, id, cached.state, after, cached);
      cache?.set(key, loaded);
      return loaded;
    }
  }
  const loaded = fold(
    aggregate,
    id,
    aggregate.initialState(),
    await store.readStream(aggregate.streamId(id)),
    null,
  );
  if (loaded.revision !== "no_stream") cache?.set(key, loaded);
  return loaded;
}

function fold<C, E extends Event, S, R extends { _tag: string }>(
  aggregate: Aggregate<C, E, S, R>,
  id: string,
  from: S,
  recorded: readonly RecordedEvent[],
  before: Loaded<S> | null,
): Loaded<S> {
  let state = from;
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
  if (last === undefined && before !== null) return before;
  return { state, revision: last ? last.revision : "no_stream", position: last?.position ?? 0 };
}

const MAX_ATTEMPTS = 12;

/**
 * After a concurrent write: a random pause that grows with the attempts (up to ~320 ms), so that many
 * writers to one hot stream (the chunks of one split job finishing together) spread out instead of
 * colliding again in lockstep.
 */
const backoff = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * 2 ** Math.min(attempt, 5)));

export async function executeCommand<C, E extends Event, S, R extends { _tag: string }>(
  deps: CommandDeps,
  aggregate: Aggregate<C, E, S, R>,
  id: string,
  command: C | ((state: S) => C),
  context: CommandContext,
): Promise<Executed<E, S> | R> {
  for (let attempt = 1; ; attempt++) {
    const loaded = await loadAggregate(deps.store, aggregate, id, deps.cache);
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
      const state = events.reduce(aggregate.evolve, loaded.state);
      deps.cache?.set(`${aggregate.name}/${id}`, {
        state,
        revision: outcome.nextExpectedRevision,
        position: outcome.position,
      });
      return { _tag: "Executed", events, state, position: outcome.position };
    }
    if (outcome._tag === "StreamDeleted")
      throw new Error(`${aggregate.name} stream ${aggregate.streamId(id)} is deleted`);
    if (attempt >= MAX_ATTEMPTS) {
      throw new Error(`${aggregate.name} ${id}: gave up after ${attempt} concurrent-write conflicts`);
    }
    await backoff(attempt);
  }
}
