import { useQuery } from "@tanstack/react-query";
import { ApiRequestError, apiFetch } from "./apiFetch.ts";
import type { Role, Session } from "./apiTypes.ts";

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2, system: 3 };

/** The signed-in session, or null when the browser has none (the sign-in page then asks for a token). */
export function useSession() {
  return useQuery({
    queryKey: ["session"],
    queryFn: async () => {
      try {
        return await apiFetch<Session>("/v1/auth/session");
      } catch (error) {
        if (error instanceof ApiRequestError && error.failure.status === 401) return null;
        throw error;
      }
    },
    staleTime: 60_000,
  });
}

/** Whether the session's role includes `role`: controls a role cannot use are not drawn at all. */
export const can = (session: Session | null | undefined, role: Role): boolean =>
  session ? RANK[session.role] >= RANK[role] : false;
