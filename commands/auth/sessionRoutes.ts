// Browser sign-in: POST /v1/auth/session trades a pasted API token for an HttpOnly, SameSite=Strict
// session cookie (Secure under TLS) and a readable CSRF cookie; GET says who is signed in; DELETE signs
// out on every replica (a SessionEnded event). Public routes: they read the token or the cookie themselves.
import { type Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import { ApiError } from "../../infra/http/apiError.ts";
import type { HttpEnv } from "../../infra/http/httpEnv.ts";
import { answerPosition } from "../../infra/http/readYourWrites.ts";
import { refuseAuthentication } from "./authMiddleware.ts";
import { CSRF_COOKIE, SESSION_COOKIE } from "./sessionCookie.ts";
import type { TokenService } from "./tokenService.ts";

const openSessionBody = z.strictObject({ token: z.string().min(1).max(1024) });
const BEARER = /^Bearer +([^\s]+) *$/i;

/** Under TLS, directly or behind a proxy that says so, the cookies travel over TLS only. */
const secure = (c: Context) =>
  new URL(c.req.url).protocol === "https:" || c.req.header("x-forwarded-proto") === "https";

const sessionJson = (actor: { userId: string; role: string; tokenId?: string }, expiresAt: Date) => ({
  user_id: actor.userId,
  role: actor.role,
  token_id: actor.tokenId ?? null,
  expires_at: expiresAt.toISOString(),
});

export function sessionRoutes(
  service: Pick<TokenService, "openSession" | "authenticateSession" | "endSession">,
) {
  const app = new Hono<HttpEnv>();

  app.post("/v1/auth/session", async (c) => {
    let bearer = BEARER.exec(c.req.header("Authorization") ?? "")?.[1];
    if (bearer === undefined) {
      const body = openSessionBody.safeParse(await c.req.json().catch(() => undefined));
      if (!body.success) {
        throw new ApiError("WE-AUTH-001", "Send the API token to sign in with", {
          hint: 'POST {"token": "<API token>"} as JSON, or send \'Authorization: Bearer <token>\'',
        });
      }
      bearer = body.data.token;
    }
    const opened = await service.openSession(bearer);
    if (opened._tag === "AuthFailure") refuseAuthentication(c, opened);
    const { session, actor } = opened;
    const maxAge = Math.max(0, Math.floor((session.expiresAt.getTime() - Date.now()) / 1000));
    const common = { path: "/", sameSite: "Strict", secure: secure(c), maxAge } as const;
    setCookie(c, SESSION_COOKIE, session.value, { ...common, httpOnly: true });
    // readable by the page on purpose: it echoes it in X-CSRF-Token, which another site cannot do
    setCookie(c, CSRF_COOKIE, session.csrf, common);
    c.header("Cache-Control", "no-store");
    return c.json(sessionJson(actor, session.expiresAt), 201);
  });

  app.get("/v1/auth/session", async (c) => {
    const value = getCookie(c, SESSION_COOKIE);
    if (value === undefined) {
      refuseAuthentication(c, { code: "WE-AUTH-001", message: "No session: sign in with an API token" });
    }
    const session = await service.authenticateSession(value);
    if (session._tag === "AuthFailure") refuseAuthentication(c, session);
    c.header("Cache-Control", "no-store");
    return c.json(sessionJson(session.actor, session.expiresAt));
  });

  app.delete("/v1/auth/session", async (c) => {
    const value = getCookie(c, SESSION_COOKIE);
    if (value !== undefined) {
      const ended = await service.endSession(value, { requestId: c.get("requestId") });
      // a cookie that signs nobody in any more has nothing to end: its cookies are cleared all the same
      if (ended._tag === "EndedSession") answerPosition(c, ended.position);
    }
    deleteCookie(c, SESSION_COOKIE, { path: "/", secure: secure(c) });
    deleteCookie(c, CSRF_COOKIE, { path: "/", secure: secure(c) });
    return c.body(null, 204);
  });

  return app;
}
