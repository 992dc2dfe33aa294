import { createMiddleware } from "hono/factory";
import { ApiError } from "../http/apiError.ts";
import { type HttpEnv, hasRole, type Role } from "../http/httpEnv.ts";
import { refuseAuthentication } from "./authMiddleware.ts";

/** Lets the request through when its actor has `role` or a higher one; mount after authMiddleware. */
export function requireRole(role: Role) {
  return createMiddleware<HttpEnv>(async (c, next) => {
    const actor = c.get("actor") as HttpEnv["Variables"]["actor"] | undefined;
    // fails closed when authMiddleware was not mounted before it
    if (actor === undefined)
      refuseAuthentication(c, { code: "WE-AUTH-001", message: "Send 'Authorization: Bearer <token>'" });
    if (!hasRole(actor, role)) {
      throw new ApiError(
        "WE-AUTH-003",
        `This action needs the ${role} role; the token has the ${actor.role} role`,
        {
          hint: `Ask an admin for a token with the ${role} role`,
        },
      );
    }
    await next();
  });
}
