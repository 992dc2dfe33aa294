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

export type TokenCommand = IssueToken | RevokeToken | RehashToken;
