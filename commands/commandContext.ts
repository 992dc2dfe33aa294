// The metadata context of a command sent over HTTP: the caller's correlation id when it gave a valid
// one, the authenticated actor and the request id, for every command route.
import type { Context } from "hono";
import type { CommandContext } from "../domain/ports/commandOutcome.ts";
import type { HttpEnv } from "../infra/http/httpEnv.ts";
import { UUID_PATTERN } from "../infra/http/jobIdParam.ts";

export function commandContext(c: Context<HttpEnv>, newId: () => string): CommandContext {
  const correlation = c.req.header("x-correlation-id");
  const correlationId = correlation && UUID_PATTERN.test(correlation) ? correlation : newId();
  const { userId, role } = c.var.actor;
  return { correlationId, causationId: correlationId, actor: { userId, role }, requestId: c.var.requestId };
}
