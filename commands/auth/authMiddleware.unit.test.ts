import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Actor } from "../../infra/http/httpEnv.ts";
import { requireRole } from "../../infra/http/requireRole.ts";
import { testApp } from "../../test/support/testApp.ts";
import { authMiddleware } from "./authMiddleware.ts";
import { issueTicket, verifyTicket } from "./sseTicket.ts";
import type { AuthFailure, TokenAuthenticator } from "./tokenService.ts";

const secret = randomBytes(32);
const tokens: Record<string, Actor | AuthFailure> = {
  "token-admin": { userId: "u-admin", role: "admin", tokenId: "t-admin" },
  "token-operator": { userId: "u-op", role: "operator", tokenId: "t-op" },
  "token-viewer": { userId: "u-view", role: "viewer", tokenId: "t-view" },
  "token-expired": { _tag: "AuthFailure", code: "WE-AUTH-002", reason: "expired", message: "expired" },
};
const unknown: AuthFailure = { _tag: "AuthFailure", code: "WE-AUTH-001", reason: "unknown", message: "no" };
const authenticator: TokenAuthenticator = {
  authenticate: async (bearer) => tokens[bearer] ?? unknown,
  async authenticateTicket(ticket) {
    const checked = verifyTicket(ticket, { secret, now: new Date() });
    if (checked._tag === "ValidTicket") return checked.actor;
    const expired = checked._tag === "TicketExpired";
    return { ...unknown, code: expired ? "WE-AUTH-002" : "WE-AUTH-001" };
  },
  // sessions are proven against a real kernel in sessionRoutes.int.test.ts
  authenticateSession: async () => unknown,
};

const app = testApp((app) => {
  app.use("/v1/events", authMiddleware(authenticator, { allowTicket: true }));
  app.use("/v1/jobs/*", authMiddleware(authenticator));
  app.use("/v1/jobs", authMiddleware(authenticator));
  app.get("/v1/events", (c) => c.json(c.var.actor));
  app.post("/v1/events", (c) => c.json(c.var.actor));
  app.get("/v1/jobs", (c) => c.json(c.var.actor));
  app.post("/v1/jobs", requireRole("operator"), (c) => c.json({ ok: true }, 201));
  app.get("/v1/unguarded", requireRole("viewer"), (c) => c.json({ ok: true }));
});

const bearer = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });
const ticketOf = (actor: Actor, now = new Date()) => issueTicket(actor, { secret, now }).ticket;

async function expectRefused(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  const body = (await response.json()) as { error: { code: string; request_id: string; details: string } };
  expect(body.error).toMatchObject({ code, request_id: "req-test" });
  return body.error;
}

describe("authMiddleware", () => {
  it("sets the actor of a valid bearer token", async () => {
    const response = await app.request("/v1/jobs", bearer("token-operator"));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ userId: "u-op", role: "operator", tokenId: "t-op" });
  });

  it("takes the scheme in any case and the token after one or more spaces", async () => {
    const response = await app.request("/v1/jobs", { headers: { Authorization: "bearer   token-viewer" } });
    expect(response.status).toBe(200);
  });

  it("answers a request without credentials with WE-AUTH-001 and a Bearer challenge", async () => {
    const response = await app.request("/v1/jobs");
    await expectRefused(response, 401, "WE-AUTH-001");
    expect(response.headers.get("WWW-Authenticate")).toBe('Bearer realm="webencode"');
  });

  it.each([
    ["an unknown token", "Bearer nope"],
    ["another scheme", "Basic dXNlcjpwYXNz"],
    ["an empty bearer", "Bearer "],
    ["two tokens", "Bearer token-admin token-admin"],
  ])("answers %s with WE-AUTH-001", async (_, authorization) => {
    const response = await app.request("/v1/jobs", { headers: { Authorization: authorization } });
    await expectRefused(response, 401, "WE-AUTH-001");
    expect(response.headers.get("WWW-Authenticate")).toMatch(/^Bearer realm="webencode"/);
  });

  it("answers an expired token with WE-AUTH-002 and an invalid_token challenge", async () => {
    const response = await app.request("/v1/jobs", bearer("token-expired"));
    await expectRefused(response, 401, "WE-AUTH-002");
    expect(response.headers.get("WWW-Authenticate")).toBe(
      'Bearer realm="webencode", error="invalid_token", error_description="expired"',
    );
  });

  it.each(["access_token", "token", "api_key"])("never takes a token from ?%s=", async (name) => {
    for (const path of ["/v1/jobs", "/v1/events"]) {
      const error = await expectRefused(await app.request(`${path}?${name}=token-admin`), 401, "WE-AUTH-001");
      expect(error.details).toMatch(/not accepted in the URL/);
    }
  });

  it("does not take a long-lived token posing as a ticket", async () => {
    await expectRefused(await app.request("/v1/events?ticket=token-admin"), 401, "WE-AUTH-001");
  });

  it("takes a ticket on the SSE route only, and only on GET", async () => {
    const admin: Actor = { userId: "u-admin", role: "admin", tokenId: "t-admin" };
    const ticket = ticketOf(admin);
    const sse = await app.request(`/v1/events?ticket=${ticket}`);
    expect(sse.status).toBe(200);
    expect(await sse.json()).toEqual(admin);
    const error = await expectRefused(await app.request(`/v1/jobs?ticket=${ticket}`), 401, "WE-AUTH-001");
    expect(error.details).toMatch(/only the event stream/);
    await expectRefused(
      await app.request(`/v1/events?ticket=${ticket}`, { method: "POST" }),
      401,
      "WE-AUTH-001",
    );
  });

  it("answers an expired ticket with WE-AUTH-002", async () => {
    const ticket = ticketOf({ userId: "u", role: "viewer" }, new Date(Date.now() - 61_000));
    await expectRefused(await app.request(`/v1/events?ticket=${ticket}`), 401, "WE-AUTH-002");
  });

  it("prefers the Authorization header to a ticket", async () => {
    const ticket = ticketOf({ userId: "u-admin", role: "admin" });
    await expectRefused(await app.request(`/v1/events?ticket=${ticket}`, bearer("nope")), 401, "WE-AUTH-001");
  });
});

describe("requireRole", () => {
  it("refuses a lower role with WE-AUTH-003 naming the role needed", async () => {
    const response = await app.request("/v1/jobs", { method: "POST", ...bearer("token-viewer") });
    const error = await expectRefused(response, 403, "WE-AUTH-003");
    expect(error.details).toMatch(/needs the operator role/);
  });

  it("lets the role and every higher one through", async () => {
    for (const token of ["token-operator", "token-admin"]) {
      expect((await app.request("/v1/jobs", { method: "POST", ...bearer(token) })).status).toBe(201);
    }
  });

  it("fails closed when no authentication ran before it", async () => {
    const response = await app.request("/v1/unguarded", bearer("token-admin"));
    await expectRefused(response, 401, "WE-AUTH-001");
    expect(response.headers.get("WWW-Authenticate")).toBe('Bearer realm="webencode"');
  });
});
