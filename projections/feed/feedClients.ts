// The feed's open connections, counted per token and in all so that neither one token nor everyone
// together can hold more than their share, and found by token so that revoking it ends them. A feed
// opened with a ticket counts as the token the ticket was exchanged for.
import type { Actor } from "../../infra/http/httpEnv.ts";

export interface FeedClientLimits {
  /** Open feeds at most, all callers together. */
  maxClients: number;
  /** Open feeds at most per token (or per user, for callers without one). */
  maxClientsPerToken: number;
}

export type Admission =
  | { _tag: "Admitted"; release(): void }
  | { _tag: "TooManyClients"; per: "token" | "server"; limit: number }
  | { _tag: "TokenRevoked" };

export interface FeedClients {
  /** Counts the caller in, or says why not; `end` is called if its token is revoked while it is open. */
  admit(actor: Actor, end: () => void): Admission;
  /** Ends every open feed of the token and refuses it from now on. */
  revokeToken(tokenId: string): void;
  readonly size: number;
}

// Revocations remembered for the race of a request authenticated just before one: the token's own
// state refuses it from then on.
const REMEMBERED_REVOCATIONS = 10_000;

const keyOf = (actor: Actor) => (actor.tokenId === undefined ? `user:${actor.userId}` : actor.tokenId);

export function createFeedClients({ maxClients, maxClientsPerToken }: FeedClientLimits): FeedClients {
  const byToken = new Map<string, Set<() => void>>();
  const revoked = new Set<string>();
  let size = 0;

  return {
    admit(actor, end) {
      const key = keyOf(actor);
      if (revoked.has(key)) return { _tag: "TokenRevoked" };
      const ofToken = byToken.get(key) ?? new Set();
      if (ofToken.size >= maxClientsPerToken)
        return { _tag: "TooManyClients", per: "token", limit: maxClientsPerToken };
      if (size >= maxClients) return { _tag: "TooManyClients", per: "server", limit: maxClients };
      const entry = () => end(); // its own identity: the same `end` may be admitted twice
      ofToken.add(entry);
      byToken.set(key, ofToken);
      size++;
      let released = false;
      return {
        _tag: "Admitted",
        release() {
          if (released) return;
          released = true;
          size--;
          ofToken.delete(entry);
          if (ofToken.size === 0 && byToken.get(key) === ofToken) byToken.delete(key);
        },
      };
    },

    revokeToken(tokenId) {
      revoked.add(tokenId);
      if (revoked.size > REMEMBERED_REVOCATIONS) revoked.delete(revoked.values().next().value!);
      for (const end of [...(byToken.get(tokenId) ?? [])]) end();
    },

    get size() {
      return size;
    },
  };
}
