// Every /v1 request names its actor with `Authorization: Bearer <token>`. Tokens are never read from the
// URL (they would end up in logs and browser history); only the SSE route, mounted with
// `allowTicket`, also takes a short-lived `?ticket=` on GET, because EventSource cannot send headers.
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { ApiError } from "../../infra/http/apiError.ts";
import type { Actor, HttpEnv } from "../../infra/http/httpEnv.ts";
import { type AuthFailure, isAuthFailure, type TokenAuthenticator } from "./tokenService.ts";

export interface AuthMiddlewareOptions {
  /** Accept `?ticket=` from POST /v1/events/ticket on GET requests without an Authorization header. */
  allowTicket?: boolean;
}

const BEARER = /^Bearer +([^\s]+) *$/i;
const URL_TOKEN_PARAMS = ["access_token", "token", "api_key", "bearer"];

/** Sets the RFC 6750 challenge, then throws: the app's error handler renders the WE-* body with it. */
export function refuseAuthentication(c: Context, failure: Pick<AuthFailure, "code" | "message">): never {
  const error = failure.code === "WE-AUTH-002" ? `, error="invalid_token", error_description="expired"` : "";
  c.header("WWW-Authenticate", `Bearer realm="webencode"${error}`);
  throw new ApiError(failure.code, failure.message);
}

export function authMiddleware(service: TokenAuthenticator, options: AuthMiddlewareOptions = {}) {
  return createMiddleware<HttpEnv>(async (c, next) => {
    const header = c.req.header("Authorization");
    const ticket = c.req.query("ticket");
    let outcome: Actor | AuthFailure;
    if (header !== undefined) {
      const bearer = BEARER.exec(header)?.[1];
      if (bearer === undefined) {
        refuseAuthentication(c, { code: "WE-AUTH-001", message: "Authorization must be 'Bearer <token>'" });
      }
      outcome = await service.authenticate(bearer);
    } else if (ticket !== undefined && options.allowTicket && c.req.method === "GET") {
      outcome = await service.authenticateTicket(ticket);
    } else {
      const inUrl = URL_TOKEN_PARAMS.some((name) => c.req.query(name) !== undefined);
      const message = inUrl
        ? "Tokens are not accepted in the URL: send 'Authorization: Bearer <token>' (browsers: exchange it at POST /v1/events/ticket for the event stream)"
        : ticket !== undefined
          ? "A ticket opens only the event stream; send 'Authorization: Bearer <token>'"
          : "Send 'Authorization: Bearer <token>'";
      refuseAuthentication(c, { code: "WE-AUTH-001", message });
    }
    if (isAuthFailure(outcome)) refuseAuthentication(c, outcome);
    c.set("actor", outcome);
    await next();
  });
}
