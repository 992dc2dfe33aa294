import { createMiddleware } from "hono/factory";
import { ApiError } from "./apiError.ts";
import { type HttpEnv, hasRole, type Role } from "./httpEnv.ts";

/** Lets the request through when its actor has `role` or a higher one; mount after authentication. */
export const requireRole = (role: Role) =>
  createMiddleware<HttpEnv>(async (c, next) => {
    const actor = c.get("actor") as HttpEnv["Variables"]["actor"] | undefined;
    // fails closed when no authentication ran before it
    if (actor === undefined) {
      c.header("WWW-Authenticate", 'Bearer realm="webencode"');
      throw new ApiError("WE-AUTH-001", "Send 'Authorization: Bearer <token>'");
    }
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
