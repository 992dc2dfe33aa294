// What every request carries through the middleware chain.
export type Role = "viewer" | "operator" | "admin";

export interface Actor {
  userId: string;
  role: Role | "system";
  /** The API token the request was authenticated with, when it was. */
  tokenId?: string;
}

export type HttpEnv = {
  Variables: {
    requestId: string;
    actor: Actor;
    /** Set on routes whose body is streamed (uploads): nothing may read it whole before the route. */
    streamingBody?: boolean;
    /**
     * What Idempotency-Key may replay in place of an answer marked `Cache-Control: no-store`: the
     * same answer without its secret. Without it, such an answer is not remembered at all.
     */
    storableAnswer?: { status: number; body: unknown };
  };
};

const rank: Record<Actor["role"], number> = { viewer: 1, operator: 2, admin: 3, system: 4 };

/** Admins may do what operators may, operators what viewers may. */
export const hasRole = (actor: Actor, needed: Role): boolean => rank[actor.role] >= rank[needed];
