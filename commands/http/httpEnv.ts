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
  };
};

const rank: Record<Actor["role"], number> = { viewer: 1, operator: 2, admin: 3, system: 4 };

/** Admins may do what operators may, operators what viewers may. */
export const hasRole = (actor: Actor, needed: Role): boolean => rank[actor.role] >= rank[needed];
