import { createMiddleware } from "hono/factory";
import { ApiError } from "./apiError.ts";
import { type HttpEnv, hasRole, type Role } from "./httpEnv.ts";

/** Refuses with WE-AUTH-003 unless the caller has at least `role`. */
export const requireRole = (role: Role) =>
  createMiddleware<HttpEnv>(async (c, next) => {
    if (!hasRole(c.var.actor, role)) {
      throw new ApiError("WE-AUTH-003", `this needs the ${role} role; your token has ${c.var.actor.role}`);
    }
    await next();
  });
