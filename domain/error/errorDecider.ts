// The reported-error aggregate as a decider value. A report under an id already taken and a resolve of
// a resolved error decide nothing new, so a reporter's retry and two operators' clicks are safe.
import { match } from "ts-pattern";
import type { ErrorEvent } from "../../schemas/events/errorEvents.ts";
import type { ErrorCommand } from "./errorCommands.ts";
import { type ErrorRejected, errorRejected } from "./errorRejected.ts";
import { type ErrorState, initialState } from "./errorState.ts";

export type ErrorDecision = { _tag: "Accepted"; events: ErrorEvent[] } | ErrorRejected;

const accepted = (...events: ErrorEvent[]): ErrorDecision => ({ _tag: "Accepted", events });

function decide(command: ErrorCommand, state: ErrorState): ErrorDecision {
  return match(command)
    .returnType<ErrorDecision>()
    .with({ type: "ReportError" }, ({ data }) =>
      state.status === "initial" ? accepted({ type: "ErrorReported", data }) : accepted(),
    )
    .with({ type: "ResolveError" }, ({ data }) =>
      match(state.status)
        .returnType<ErrorDecision>()
        .with("initial", () => errorRejected("ErrorNotFound", `No reported error ${data.errorId}`))
        .with("open", () => accepted({ type: "ErrorResolved", data }))
        .with("resolved", () => accepted())
        .exhaustive(),
    )
    .exhaustive();
}

function evolve(state: ErrorState, event: ErrorEvent): ErrorState {
  return match(event)
    .returnType<ErrorState>()
    .with({ type: "ErrorReported" }, ({ data }) => ({ status: "open", errorId: data.errorId }))
    .with({ type: "ErrorResolved" }, () =>
      state.status === "initial" ? state : { ...state, status: "resolved" },
    )
    .exhaustive();
}

export const errorDecider = { decide, evolve, initialState };
