// Given these events, when this command, then exactly these events (or this rejection): one
// specification for every decider. Every decision it makes is also checked for purity (frozen inputs,
// the same answer twice) and for events that parse back from the log.
import { expect } from "vitest";

type Accepted<Event> = { _tag: "Accepted"; events: readonly Event[] };

export interface Decider<Command, Event, State, Decision extends { _tag: string }> {
  decide(command: Command, state: State): Decision;
  evolve(state: State, event: Event): State;
  initialState(): State;
}

/** What the events must parse against to be read back from the log (a zod schema). */
export interface EventSchema {
  safeParse(value: unknown): { error?: unknown };
}

export interface DecisionSpecification<Event, Decision> {
  /** The decision, after the purity and schema checks. */
  readonly decision: Decision;
  thenEmits(...expected: Event[]): void;
  thenRejects(expected: Partial<Exclude<Decision, { _tag: "Accepted" }>>): void;
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

const isAccepted = <Event>(decision: { _tag: string }): decision is Accepted<Event> =>
  decision._tag === "Accepted";

// The assertions are `thenEmits`/`thenRejects`, not Emmett's `then`: an object with a `then` method is
// a thenable, and awaiting it would call it.
function specify<Command, Event, State, Decision extends { _tag: string }>(
  decider: Decider<Command, Event, State, Decision>,
  schema: EventSchema,
  state: State,
) {
  return {
    when(command: Command): DecisionSpecification<Event, Decision> {
      const decision = decider.decide(deepFreeze(command), deepFreeze(state));
      expect(decider.decide(command, state), "the same command on the same state decides the same").toEqual(
        decision,
      );
      if (isAccepted<Event>(decision)) {
        for (const event of decision.events) expect(schema.safeParse(event).error).toBeUndefined();
      }
      return {
        decision,
        thenEmits(...expected) {
          expect(decision).toEqual({ _tag: "Accepted", events: expected });
        },
        thenRejects(expected) {
          expect(decision._tag).not.toBe("Accepted");
          expect(decision).toMatchObject(expected);
        },
      };
    },
  };
}

export const DeciderSpecification = {
  for<Command, Event, State, Decision extends { _tag: string }>(
    decider: Decider<Command, Event, State, Decision>,
    schema: EventSchema,
  ) {
    return {
      /** Given these events in the stream, in order. */
      given: (...events: Event[]) =>
        specify(decider, schema, deepFreeze(events).reduce(decider.evolve, decider.initialState())),
      /** Given the state a stream's events already add up to, for runs that evolve it step by step. */
      givenState: (state: State) => specify(decider, schema, state),
    };
  },
};
