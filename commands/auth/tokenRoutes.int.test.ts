// The token and ticket routes through HTTP, on real Postgres, the real event store and the projector.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tokenHashKey } from "../../domain/token/mintToken.ts";
import {
  openPostgresEventStore,
  type PostgresEventStore,
} from "../../infra/eventstore/postgres/postgresEventStore.ts";
import { type ProjectorRunner, startProjector } from "../../infra/processors/runProjector.ts";
import { tokensProjector } from "../../projections/tokens/tokensProjector.ts";
import { testApp } from "../../test/support/testApp.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/testDatabase.ts";
import { authMiddleware } from "./authMiddleware.ts";
import { ensureAdminToken } from "./ensureAdminToken.ts";
import { ticketRoutes } from "./ticketRoutes.ts";
import { tokenRoutes } from "./tokenRoutes.ts";
import { createTokenService, type TokenService } from "./tokenService.ts";

let database: TestDatabase;
let pool: pg.Pool;
let store: PostgresEventStore;
let runner: ProjectorRunner;
let service: TokenService;
let app: ReturnType<typeof testApp>;
/** How far the service's clock runs ahead of the wall clock: expiry without sleeping. */
let skewMs = 0;
const secrets: Record<"viewer" | "operator" | "admin", string> = { viewer: "", operator: "", admin: "" };

beforeAll(async () => {
  database = await createTestDatabase("authhttp");
  pool = new pg.Pool({ connectionString: database.url, max: 8 });
  store = await openPostgresEventStore({ url: database.url, schema: "ev", pollMs: 20 });
  runner = startProjector({ store, pool, schema: "rm", projector: tokensProjector });
  service = createTokenService({
    store,
    pool,
    schema: "rm",
    newId: randomUUID,
    now: () => new Date(Date.now() + skewMs),
    waitForProjection: (position) => runner.waitForPosition(position, 5_000),
    hashKey: tokenHashKey("signing secret of the test platform"),
  });
  // as the real app: every /v1 route behind the bearer middleware, the SSE route behind the ticket variant
  app = testApp((app) => {
    app.use("/v1/*", async (c, next) =>
      c.req.path === "/v1/events" ? next() : authMiddleware(service)(c, next),
    );
    app.use("/v1/events", authMiddleware(service, { allowTicket: true }));
    app.route("/", tokenRoutes(service));
    app.route("/", ticketRoutes(service));
    app.get("/v1/events", (c) => c.json({ actor: c.var.actor }));
    app.get("/v1/whoami", (c) => c.json(c.var.actor));
  });
  const admin = await ensureAdminToken({ service });
  if (admin._tag !== "AdminTokenCreated") throw new Error(admin._tag);
  secrets.admin = admin.token;
  for (const role of ["viewer", "operator"] as const) {
    const issued = await service.issue({ name: role, role }, { userId: "u-root", role: "admin" });
    if (issued._tag !== "Issued") throw new Error(issued._tag);
    secrets[role] = issued.token;
  }
});
afterAll(async () => {
  await runner.stop();
  await store.close();
  await pool.end();
  await database.drop();
});

const as = (role: keyof typeof secrets, init: RequestInit = {}): RequestInit => ({
  ...init,
  headers: { Authorization: `Bearer ${secrets[role]}`, "Content-Type": "application/json", ...init.headers },
});
const post = (body: unknown) => ({ method: "POST", body: JSON.stringify(body) });

async function errorOf(response: Response) {
  return ((await response.json()) as { error: { code: string; details: string } }).error;
}

async function createToken(body: Record<string, unknown>) {
  const response = await app.request("/v1/tokens", as("admin", post(body)));
  expect(response.status).toBe(201);
  return { response, body: (await response.json()) as Record<string, string | null> };
}

describe("token routes", () => {
  it.each([
    ["viewer", 403, 403, 403],
    ["operator", 403, 403, 403],
    ["admin", 201, 200, 204],
  ] as const)("as %s: POST %i, GET %i, DELETE %i", async (role, postStatus, getStatus, deleteStatus) => {
    const victim = await service.issue(
      { name: "victim", role: "viewer" },
      { userId: "u-root", role: "admin" },
    );
    if (victim._tag !== "Issued") throw new Error(victim._tag);
    const created = await app.request("/v1/tokens", as(role, post({ name: "new", role: "viewer" })));
    const listed = await app.request("/v1/tokens", as(role));
    const deleted = await app.request(`/v1/tokens/${victim.tokenId}`, as(role, { method: "DELETE" }));
    expect([created.status, listed.status, deleted.status]).toEqual([postStatus, getStatus, deleteStatus]);
    if (role !== "admin") {
      for (const response of [created, listed, deleted]) {
        const error = await errorOf(response);
        expect(error.code).toBe("WE-AUTH-003");
        expect(error.details).toMatch(/needs the admin role/);
      }
    }
  });

  it.each([
    ["GET", "/v1/tokens"],
    ["POST", "/v1/tokens"],
    ["DELETE", `/v1/tokens/${randomUUID()}`],
    ["POST", "/v1/events/ticket"],
  ])("answers %s %s without a token with 401 WE-AUTH-001 and a Bearer challenge", async (method, path) => {
    const response = await app.request(path, { method });
    expect(response.status).toBe(401);
    expect(response.headers.get("WWW-Authenticate")).toBe('Bearer realm="webencode"');
    expect((await errorOf(response)).code).toBe("WE-AUTH-001");
  });

  it("creates a token shown once, in snake_case, that works at once with its role", async () => {
    const { response, body } = await createToken({ name: "  ci  ", role: "operator", user_id: "u-ci" });
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    expect(Number(response.headers.get("X-WebEncode-Position"))).toBeGreaterThan(0);
    expect(body).toEqual({
      id: expect.any(String),
      name: "ci",
      role: "operator",
      user_id: "u-ci",
      prefix: String(body.token).slice(0, 8),
      created_at: expect.any(String),
      expires_at: null,
      revoked_at: null,
      token: expect.stringMatching(/^we_[0-9a-f]{32}_[A-Za-z0-9_-]{32}$/),
    });
    const whoami = await app.request("/v1/whoami", { headers: { Authorization: `Bearer ${body.token}` } });
    expect(await whoami.json()).toEqual({ userId: "u-ci", role: "operator", tokenId: body.id });
  });

  it("lists tokens without hashes or secrets", async () => {
    const { body: created } = await createToken({ name: "listed", role: "viewer" });
    const response = await app.request("/v1/tokens", as("admin"));
    const text = await response.text();
    const { tokens } = JSON.parse(text) as { tokens: Record<string, unknown>[] };
    expect(tokens.find((token) => token.id === created.id)).toEqual({
      id: created.id,
      name: "listed",
      role: "viewer",
      user_id: `token:${created.id}`,
      prefix: created.prefix,
      created_at: created.created_at,
      expires_at: null,
      revoked_at: null,
    });
    expect(text).not.toMatch(/sha256|hash/);
    for (const secret of [...Object.values(secrets), String(created.token)]) {
      expect(text).not.toContain(secret.slice(-32));
    }
  });

  it("revokes a token: 204, then it is refused at once; again 409; unknown 404", async () => {
    const { body } = await createToken({ name: "doomed", role: "admin" });
    const bearer = { headers: { Authorization: `Bearer ${body.token}` } };
    expect((await app.request("/v1/whoami", bearer)).status).toBe(200);
    const deleted = await app.request(`/v1/tokens/${body.id}`, as("admin", { method: "DELETE" }));
    expect(deleted.status).toBe(204);
    expect(Number(deleted.headers.get("X-WebEncode-Position"))).toBeGreaterThan(0);
    const refused = await app.request("/v1/whoami", bearer);
    expect(refused.status).toBe(401);
    expect((await errorOf(refused)).code).toBe("WE-AUTH-001");
    const again = await app.request(`/v1/tokens/${body.id}`, as("admin", { method: "DELETE" }));
    expect(again.status).toBe(409);
    expect((await errorOf(again)).code).toBe("WE-JOB-005");
    for (const id of [randomUUID(), "not-a-token-id"]) {
      const unknown = await app.request(`/v1/tokens/${id}`, as("admin", { method: "DELETE" }));
      expect(unknown.status).toBe(404);
      expect((await errorOf(unknown)).code).toBe("WE-JOB-004");
    }
    const listed = (await (await app.request("/v1/tokens", as("admin"))).json()) as {
      tokens: { id: string; revoked_at: string | null }[];
    };
    expect(listed.tokens.find((token) => token.id === body.id)?.revoked_at).not.toBeNull();
  });

  it("creates a token with an expiry, refused with WE-AUTH-002 once expired", async () => {
    const expiresAt = new Date(Date.now() + 60_000).toISOString();
    const { body } = await createToken({ name: "brief", role: "viewer", expires_at: expiresAt });
    expect(body.expires_at).toBe(expiresAt);
    const bearer = { headers: { Authorization: `Bearer ${body.token}` } };
    expect((await app.request("/v1/whoami", bearer)).status).toBe(200);
    skewMs = 60_000;
    try {
      const expired = await app.request("/v1/whoami", bearer);
      expect(expired.status).toBe(401);
      expect(expired.headers.get("WWW-Authenticate")).toMatch(/error="invalid_token"/);
      expect((await errorOf(expired)).code).toBe("WE-AUTH-002");
    } finally {
      skewMs = 0;
    }
  });

  it.each([
    ["no JSON", "{name:"],
    ["no name", JSON.stringify({ role: "viewer" })],
    ["a blank name", JSON.stringify({ name: "   ", role: "viewer" })],
    ["an unknown role", JSON.stringify({ name: "x", role: "root" })],
    ["the system role", JSON.stringify({ name: "x", role: "system" })],
    ["an unknown field", JSON.stringify({ name: "x", role: "viewer", hash: "sha256:00" })],
    ["an expiry that is no timestamp", JSON.stringify({ name: "x", role: "viewer", expires_at: "tomorrow" })],
    [
      "an expiry in the past",
      JSON.stringify({ name: "x", role: "viewer", expires_at: "2020-01-01T00:00:00Z" }),
    ],
  ])("answers a body with %s with 400 WE-JOB-001", async (_, body) => {
    const response = await app.request("/v1/tokens", as("admin", { method: "POST", body }));
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe("WE-JOB-001");
  });
});

describe("SSE tickets", () => {
  it("are issued to any role, and open the event stream as that actor", async () => {
    for (const role of ["viewer", "operator", "admin"] as const) {
      const response = await app.request("/v1/events/ticket", as(role, { method: "POST" }));
      expect(response.status).toBe(200);
      const { ticket, expires_at } = (await response.json()) as { ticket: string; expires_at: string };
      const ttl = Date.parse(expires_at) - Date.now();
      expect(ttl).toBeGreaterThan(55_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
      const sse = await app.request(`/v1/events?ticket=${encodeURIComponent(ticket)}`);
      expect(sse.status).toBe(200);
      expect(await sse.json()).toMatchObject({ actor: { role } });
    }
  });

  it("open nothing but the event stream", async () => {
    const response = await app.request("/v1/events/ticket", as("admin", { method: "POST" }));
    const { ticket } = (await response.json()) as { ticket: string };
    for (const path of ["/v1/tokens", "/v1/whoami"]) {
      const refused = await app.request(`${path}?ticket=${encodeURIComponent(ticket)}`);
      expect(refused.status).toBe(401);
    }
    const asBearer = await app.request("/v1/whoami", { headers: { Authorization: `Bearer ${ticket}` } });
    expect(asBearer.status).toBe(401);
  });

  it.each(["access_token", "token", "ticket"])(
    "the event stream never takes an API token from ?%s=",
    async (name) => {
      const response = await app.request(`/v1/events?${name}=${secrets.admin}`);
      expect(response.status).toBe(401);
      expect((await errorOf(response)).code).toBe("WE-AUTH-001");
    },
  );

  it.each(["access_token", "token"])("no other route takes an API token from ?%s= either", async (name) => {
    for (const path of ["/v1/tokens", "/v1/whoami"]) {
      const response = await app.request(`${path}?${name}=${secrets.admin}`);
      expect(response.status).toBe(401);
      expect((await errorOf(response)).details).toMatch(/not accepted in the URL/);
    }
  });
});
