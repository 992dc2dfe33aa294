// What the token decider knows about a token. Expiry is not a state: it depends on the clock, which
// the decider does not read; whoever authenticates compares `expiresAt` with the time.
import type { TokenEventData } from "../../schemas/events/tokenEvents.ts";

export interface NoToken {
  status: "initial";
}

export interface Token extends TokenEventData<"TokenIssued"> {
  status: "issued" | "revoked";
  revokeReason: string | null;
}

export type TokenState = NoToken | Token;

export const initialState = (): TokenState => ({ status: "initial" });
