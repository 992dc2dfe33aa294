// The specification must fail a decider that is wrong, impure or emits what the log cannot read back;
// otherwise every decider test written with it could pass without the decider working.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { type Decider, DeciderSpecification } from "./deciderSpecification.ts";

const counterEventSchema = z.object({ type: z.literal("Added"), data: z.object({ by: z.number().int() }) });
type CounterEvent = z.infer<typeof counterEventSchema>;
type Add = { type: "Add"; data: { by: number } };
type CounterState = { total: number };
type CounterDecision =
  | { _tag: "Accepted"; events: CounterEvent[] }
  | { _tag: "CounterRejected"; code: string; message: string };

const counter = (
  decide: (command: Add, state: CounterState) => CounterDecision,
): Decider<Add, CounterEvent, CounterState, CounterDecision> => ({
  decide,
  evolve: (state, event) => ({ total: state.total + event.data.by }),
  initialState: () => ({ total: 0 }),
});

/** Adds up to ten, refuses past it. */
const capped = counter((command, state) =>
  state.total + command.data.by > 10
    ? { _tag: "CounterRejected", code: "WE-JOB-001", message: "over ten" }
    : { _tag: "Accepted", events: [{ type: "Added", data: { by: command.data.by } }] },
);

const added = (by: number): CounterEvent => ({ type: "Added", data: { by } });
const add = (by: number): Add => ({ type: "Add", data: { by } });

describe("DeciderSpecification", () => {
  it("passes a decider that emits exactly the expected events or the expected rejection", () => {
    const { given, givenState } = DeciderSpecification.for(capped, counterEventSchema);
    given().when(add(3)).thenEmits(added(3));
    given(added(4), added(5)).when(add(2)).thenRejects({ code: "WE-JOB-001" });
    givenState({ total: 9 }).when(add(1)).thenEmits(added(1));
    expect(given(added(9)).when(add(1)).decision).toEqual({ _tag: "Accepted", events: [added(1)] });
  });

  it("fails other events, more events, fewer events, or an acceptance where a rejection was expected", () => {
    const { given } = DeciderSpecification.for(capped, counterEventSchema);
    expect(() => given().when(add(3)).thenEmits(added(4))).toThrow();
    expect(() => given().when(add(3)).thenEmits(added(3), added(3))).toThrow();
    expect(() => given().when(add(3)).thenEmits()).toThrow();
    expect(() => given().when(add(3)).thenRejects({})).toThrow();
    expect(() => given(added(10)).when(add(1)).thenRejects({ code: "WE-JOB-004" })).toThrow();
    expect(() => given(added(10)).when(add(1)).thenEmits()).toThrow();
  });

  it("folds the given events in order before deciding", () => {
    const { given } = DeciderSpecification.for(capped, counterEventSchema);
    expect(() => given(added(8)).when(add(3)).thenEmits(added(3))).toThrow();
  });

  it("fails a decider that answers differently to the same command on the same state", () => {
    let calls = 0;
    const flaky = counter((command) => ({
      _tag: "Accepted",
      events: [{ type: "Added", data: { by: command.data.by + (calls++ % 2) } }],
    }));
    expect(() => DeciderSpecification.for(flaky, counterEventSchema).given().when(add(1))).toThrow(
      /decides the same/,
    );
  });

  it("fails a decider that changes the state or the command it was given", () => {
    const mutatesState = counter((command, state) => {
      state.total += command.data.by;
      return { _tag: "Accepted", events: [] };
    });
    const mutatesCommand = counter((command) => {
      command.data.by = 0;
      return { _tag: "Accepted", events: [] };
    });
    expect(() => DeciderSpecification.for(mutatesState, counterEventSchema).given().when(add(1))).toThrow();
    expect(() => DeciderSpecification.for(mutatesCommand, counterEventSchema).given().when(add(1))).toThrow();
  });

  it("fails an emitted event the log could not read back", () => {
    const fractional = counter(() => ({ _tag: "Accepted", events: [added(0.5)] }));
    expect(() =>
      DeciderSpecification.for(fractional, counterEventSchema).given().when(add(1)).thenEmits(added(0.5)),
    ).toThrow();
  });
});
