// Every /v1 request names its actor with `Authorization: Bearer <token>`, or, from the dashboard, with
// the session cookie a token opened (mutations must then echo the session's CSRF secret in a header).
// Tokens are never read from the URL (they would end up in logs and browser history); only the SSE
// route, mounted with `allowTicket`, also takes a short-lived `?ticket=` on GET (EventSource sends no headers).
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { ApiError } from "../../infra/http/apiError.ts";
import type { Actor, HttpEnv } from "../../infra/http/httpEnv.ts";
import { CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE, sameText } from "./sessionCookie.ts";
import { type AuthFailure, isAuthFailure, type TokenAuthenticator } from "./tokenService.ts";

export interface AuthMiddlewareOptions {
  /** Accept `?ticket=` from POST /v1/events/ticket on GET requests without an Authorization header. */
  allowTicket?: boolean;
}

const BEARER = /^Bearer +([^\s]+) *$/i;
// Methods that change nothing: a cross-site page may make a browser send them, but cannot read the answer.
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
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
    } else if (getCookie(c, SESSION_COOKIE) !== undefined) {
      const session = await service.authenticateSession(getCookie(c, SESSION_COOKIE)!);
      if (session._tag === "AuthFailure") refuseAuthentication(c, session);
      if (!SAFE_METHODS.has(c.req.method)) {
        const echoed = c.req.header(CSRF_HEADER);
        if (echoed === undefined || !sameText(echoed, session.csrf)) {
          throw new ApiError(
            "WE-AUTH-003",
            echoed === undefined
              ? `A request signed in by the session cookie must send the ${CSRF_HEADER} header`
              : `The ${CSRF_HEADER} header does not match this session`,
            {
              hint: `Send the value of the '${CSRF_COOKIE}' cookie in the ${CSRF_HEADER} header, or use 'Authorization: Bearer <token>'`,
            },
          );
        }
      }
      outcome = session.actor;
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
