// The API-token aggregate as a decider value: the command side loads the `token-{id}` stream, folds
// it, decides, and appends at the revision it read. Pure: the clock and the secret come in the command.
import { match } from "ts-pattern";
import { type TokenEvent, tokenEventSchema } from "../../schemas/events/tokenEvents.ts";
import type { TokenCommand } from "./tokenCommands.ts";
import { type TokenRejected, tokenRejected } from "./tokenRejected.ts";
import { initialState, type TokenState } from "./tokenState.ts";

export type TokenDecision = { _tag: "Accepted"; events: TokenEvent[] } | TokenRejected;

const accepted = (...events: TokenEvent[]): TokenDecision => ({ _tag: "Accepted", events });

/** An event that would not parse back would stop every projector at it: refuse it here instead. */
function valid(event: TokenEvent): TokenDecision {
  const parsed = tokenEventSchema.safeParse(event);
  if (parsed.success) return accepted(event);
  const problems = parsed.error.issues.map((issue) => `${issue.path.slice(1).join(".")}: ${issue.message}`);
  return tokenRejected("InvalidToken", `Invalid token: ${problems.join("; ")}`);
}

function decide(command: TokenCommand, state: TokenState): TokenDecision {
  return match(command)
    .returnType<TokenDecision>()
    .with({ type: "IssueToken" }, ({ data: { now, ...data } }) => {
      if (state.status !== "initial") {
        return tokenRejected("TokenExists", `Token ${data.tokenId} already exists`);
      }
      if (data.expiresAt !== undefined && !(Date.parse(data.expiresAt) > Date.parse(now))) {
        return tokenRejected("InvalidToken", `A token cannot expire (${data.expiresAt}) before it is issued`);
      }
      return valid({ type: "TokenIssued", data });
    })
    .with({ type: "RevokeToken" }, ({ data }) =>
      match(state.status)
        .returnType<TokenDecision>()
        .with("initial", () => tokenRejected("TokenNotFound", `No token exists with id ${data.tokenId}`))
        .with("revoked", () =>
          tokenRejected("TokenAlreadyRevoked", `Token ${data.tokenId} is already revoked`),
        )
        .with("issued", () => valid({ type: "TokenRevoked", data }))
        .exhaustive(),
    )
    .with({ type: "RehashToken" }, ({ data }) => {
      if (state.status === "initial") {
        return tokenRejected("TokenNotFound", `No token exists with id ${data.tokenId}`);
      }
      // two processes upgrading the same token at once: the second has nothing left to do
      if (state.hash === data.hash) return accepted();
      if (!state.hash.startsWith("sha256:")) {
        return tokenRejected("InvalidToken", `Token ${data.tokenId} already has a keyed hash`);
      }
      return valid({ type: "TokenRehashed", data });
    })
    .with({ type: "EndSession" }, ({ data: { now, ...data } }) =>
      match(state.status)
        .returnType<TokenDecision>()
        .with("initial", () => tokenRejected("TokenNotFound", `No token exists with id ${data.tokenId}`))
        // the token's sessions all ended with it: nothing left to remember
        .with("revoked", () => accepted())
        // a session already past its expiry is refused without anyone remembering it
        .with("issued", () =>
          Date.parse(data.expiresAt) > Date.parse(now) ? valid({ type: "SessionEnded", data }) : accepted(),
        )
        .exhaustive(),
    )
    .exhaustive();
}

/** Which sessions ended is not the decider's to know: authentication reads it from the tokens read model. */
function evolve(state: TokenState, event: TokenEvent): TokenState {
  return match(event)
    .returnType<TokenState>()
    .with({ type: "TokenIssued" }, ({ data }) =>
      state.status === "initial" ? { ...data, status: "issued", revokeReason: null } : state,
    )
    .with({ type: "TokenRevoked" }, ({ data }) =>
      state.status === "issued" ? { ...state, status: "revoked", revokeReason: data.reason ?? null } : state,
    )
    .with({ type: "TokenRehashed" }, ({ data }) =>
      state.status === "initial" ? state : { ...state, hash: data.hash },
    )
    .with({ type: "SessionEnded" }, () => state)
    .exhaustive();
}

export const tokenDecider = { decide, evolve, initialState };

/** The state a token's events add up to. */
export const foldToken = (events: readonly TokenEvent[], from: TokenState = initialState()): TokenState =>
  events.reduce(evolve, from);
