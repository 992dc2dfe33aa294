// The commands a token accepts. The secret is minted before deciding: the command carries only its hash.
import type { TokenEventData } from "../../schemas/events/tokenEvents.ts";

export type IssueToken = {
  type: "IssueToken";
  /** `now`: ISO timestamp of the issue, which an expiry must lie after. */
  data: TokenEventData<"TokenIssued"> & { now: string };
};

export type RevokeToken = { type: "RevokeToken"; data: TokenEventData<"TokenRevoked"> };

/** Replaces a legacy unkeyed hash with a keyed one; whoever sends it has checked the secret against both. */
export type RehashToken = { type: "RehashToken"; data: TokenEventData<"TokenRehashed"> };

/** Signs a browser session out; `now`: ISO timestamp of the sign-out, which decides if it is still open. */
export type EndSession = { type: "EndSession"; data: TokenEventData<"SessionEnded"> & { now: string } };

export type TokenCommand = IssueToken | RevokeToken | RehashToken | EndSession;
