import { createHash, randomBytes, randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventStore } from "../../domain/ports/eventStore.ts";
import { hashToken, mintToken, TOKEN_SECRET_BYTES, tokenHashKey } from "../../domain/token/mintToken.ts";
import { tokenIdOf } from "../../domain/token/tokenIdOf.ts";
import {
  openPostgresEventStore,
  type PostgresEventStore,
} from "../../infra/eventstore/postgres/postgresEventStore.ts";
import type { Actor } from "../../infra/http/httpEnv.ts";
import { type ProjectorRunner, startProjector } from "../../infra/processors/runProjector.ts";
import { tokensProjector } from "../../projections/tokens/tokensProjector.ts";
import { tokenStream } from "../../schemas/events/streamNames.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/testDatabase.ts";
import { ensureAdminToken } from "./ensureAdminToken.ts";
import { executeTokenCommand } from "./executeTokenCommand.ts";
import { createTokenService, type TokenService, type TokenServiceDeps } from "./tokenService.ts";

let database: TestDatabase;
let pool: pg.Pool;
beforeAll(async () => {
  database = await createTestDatabase("auth");
  pool = new pg.Pool({ connectionString: database.url, max: 8 });
});
afterAll(async () => {
  await pool.end();
  await database.drop();
});

const root: Actor = { userId: "u-root", role: "admin" };
const hashKey = tokenHashKey("signing secret of the test platform");

interface Platform {
  store: PostgresEventStore;
  runner: ProjectorRunner;
  service: TokenService;
  schema: string;
  stop(): Promise<void>;
}

/** One "process": its own store connection, tokens projector and service, on a shared database. */
async function startPlatform(name: string, options: Partial<TokenServiceDeps> = {}): Promise<Platform> {
  const schema = `rm_${name}`;
  const store = await openPostgresEventStore({ url: database.url, schema: `ev_${name}`, pollMs: 20 });
  const runner = startProjector({ store, pool, schema, projector: tokensProjector });
  const service = createTokenService({
    store,
    pool,
    schema,
    newId: randomUUID,
    now: () => new Date(),
    waitForProjection: (position) => runner.waitForPosition(position, 5_000),
    hashKey,
    ...options,
  });
  return {
    store,
    runner,
    service,
    schema,
    async stop() {
      await runner.stop();
      await store.close();
    },
  };
}

/** A second process on the same event store and read model. */
async function joinPlatform(platform: Platform, options: Partial<TokenServiceDeps> = {}) {
  return createTokenService({
    store: platform.store,
    pool,
    schema: platform.schema,
    newId: randomUUID,
    now: () => new Date(),
    waitForProjection: (position) => platform.runner.waitForPosition(position, 5_000),
    hashKey,
    ...options,
  });
}

async function issued(service: TokenService, role: "viewer" | "operator" | "admin", extra = {}) {
  const result = await service.issue({ name: `${role} token`, role, ...extra }, root);
  if (result._tag !== "Issued") throw new Error(`not issued: ${JSON.stringify(result)}`);
  return result;
}

const eventually = async (check: () => Promise<boolean>, timeoutMs: number) => {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await check()) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`not within ${timeoutMs} ms`);
};

describe("token service", () => {
  it("authenticates a token the moment it is issued, its row already projected", async () => {
    const platform = await startPlatform("issue");
    try {
      const token = await issued(platform.service, "operator", { userId: "u-carol" });
      expect(token.token).toMatch(/^we_[0-9a-f]{32}_[A-Za-z0-9_-]{32}$/);
      // no cache in this reader: the row itself must be there already
      const uncached = await joinPlatform(platform, { cacheTtlMs: 0 });
      expect(await uncached.authenticate(token.token)).toEqual({
        userId: "u-carol",
        role: "operator",
        tokenId: token.tokenId,
      });
      const { rows } = await pool.query(`select hash from "${platform.schema}".api_tokens where id = $1`, [
        token.tokenId,
      ]);
      // keyed with the platform's secret: not the plain sha256 anyone could test guesses against
      expect(rows[0].hash).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
      expect(rows[0].hash).not.toContain(createHash("sha256").update(token.token).digest("hex"));
      // the secret appears in no event, only its hash
      const events = await platform.store.readAll({ filter: { streamPrefixes: ["token-"] } });
      expect(JSON.stringify(events)).not.toContain(token.token.slice(-32));
    } finally {
      await platform.stop();
    }
  });

  it("gives a token without user id a user of its own, and lists tokens without hashes", async () => {
    const platform = await startPlatform("list");
    try {
      const token = await issued(platform.service, "viewer");
      expect(token.userId).toBe(`token:${token.tokenId}`);
      const listed = await platform.service.list();
      expect(listed).toEqual([
        {
          tokenId: token.tokenId,
          name: "viewer token",
          userId: token.userId,
          role: "viewer",
          prefix: token.token.slice(0, 8),
          createdAt: token.createdAt,
          expiresAt: null,
          revokedAt: null,
        },
      ]);
    } finally {
      await platform.stop();
    }
  });

  it("refuses a revoked token at once in the revoking process, and within a second in another", async () => {
    const platform = await startPlatform("revoke");
    try {
      const token = await issued(platform.service, "admin");
      const other = await joinPlatform(platform);
      expect(await other.authenticate(token.token)).toMatchObject({ tokenId: token.tokenId }); // now cached
      expect(await platform.service.revoke(token.tokenId, root)).toMatchObject({ _tag: "Revoked" });
      expect(await platform.service.authenticate(token.token)).toMatchObject({
        _tag: "AuthFailure",
        code: "WE-AUTH-001",
        reason: "revoked",
      });
      const waited = await eventually(async () => "_tag" in (await other.authenticate(token.token)), 1_500);
      expect(waited).toBeLessThan(1_200);
      expect(await platform.service.revoke(token.tokenId, root)).toMatchObject({
        _tag: "TokenRejected",
        reason: "TokenAlreadyRevoked",
      });
      expect(await platform.service.revoke(randomUUID(), root)).toMatchObject({
        _tag: "TokenRejected",
        code: "WE-JOB-004",
      });
    } finally {
      await platform.stop();
    }
  });

  it("ends a signed-out session at once in the signing-out process, within a second in another, and no other session", async () => {
    const ticketSecret = randomBytes(32);
    const platform = await startPlatform("signout", { ticketSecret });
    try {
      const other = await joinPlatform(platform, { ticketSecret });
      const token = await issued(platform.service, "operator");
      const opened = await platform.service.openSession(token.token);
      const kept = await platform.service.openSession(token.token);
      if (opened._tag !== "OpenedSession" || kept._tag !== "OpenedSession") throw new Error("not opened");
      const cookie = opened.session.value;
      expect(await other.authenticateSession(cookie)).toMatchObject({ _tag: "SessionActor" }); // now cached

      const ended = await platform.service.endSession(cookie, { requestId: "req-signout" });
      expect(ended).toMatchObject({ _tag: "EndedSession", sessionId: opened.session.sessionId });
      const signedOut = { _tag: "AuthFailure", code: "WE-AUTH-001", reason: "signed_out" };
      expect(await platform.service.authenticateSession(cookie)).toMatchObject(signedOut);
      const waited = await eventually(
        async () => (await other.authenticateSession(cookie))._tag === "AuthFailure",
        1_500,
      );
      expect(waited).toBeLessThan(1_200);
      expect(await other.authenticateSession(cookie)).toMatchObject(signedOut);
      // a process started after the sign-out learns it from the read model alone
      expect(
        await (await joinPlatform(platform, { ticketSecret })).authenticateSession(cookie),
      ).toMatchObject(signedOut);
      for (const service of [platform.service, other]) {
        expect(await service.authenticateSession(kept.session.value)).toMatchObject({
          _tag: "SessionActor",
          sessionId: kept.session.sessionId,
        });
      }

      // the event: on the token's stream, by the session's own user, and only once
      expect(await other.endSession(cookie)).toMatchObject(signedOut);
      const stream = await platform.store.readStream(tokenStream.name(token.tokenId));
      expect(stream.map((e) => e.type)).toEqual(["TokenIssued", "SessionEnded"]);
      expect(stream[1]!.data).toEqual({
        tokenId: token.tokenId,
        sessionId: opened.session.sessionId,
        expiresAt: opened.session.expiresAt.toISOString(),
      });
      expect(stream[1]!.metadata).toMatchObject({
        actor: { userId: token.userId, role: "operator" },
        requestId: "req-signout",
      });
      expect(stream[1]!.position).toBe((ended as { position: number }).position);
    } finally {
      await platform.stop();
    }
  });

  it("lets a sign-out whose event could not be appended be tried again, and records it then", async () => {
    const ticketSecret = randomBytes(32);
    const platform = await startPlatform("signout_retry", { ticketSecret });
    try {
      let failing = true;
      // the event store losing its database for one append, as a restarting Postgres does
      const flaky: EventStore = {
        ...platform.store,
        append: (...args) =>
          failing ? Promise.reject(new Error("the database went away")) : platform.store.append(...args),
      };
      const service = await joinPlatform(platform, { ticketSecret, store: flaky });
      const token = await issued(platform.service, "viewer");
      const opened = await service.openSession(token.token);
      if (opened._tag !== "OpenedSession") throw new Error(opened._tag);
      await expect(service.endSession(opened.session.value)).rejects.toThrow("the database went away");
      expect(await service.authenticateSession(opened.session.value)).toMatchObject({ _tag: "SessionActor" });
      failing = false;
      expect(await service.endSession(opened.session.value)).toMatchObject({ _tag: "EndedSession" });
      const stream = await platform.store.readStream(tokenStream.name(token.tokenId));
      expect(stream.map((e) => e.type)).toEqual(["TokenIssued", "SessionEnded"]);
      await eventually(
        async () => (await platform.service.authenticateSession(opened.session.value))._tag === "AuthFailure",
        1_500,
      );
    } finally {
      await platform.stop();
    }
  });

  it("reads a token's stream from where it last folded it, not whole at every sign-out", async () => {
    const ticketSecret = randomBytes(32);
    const platform = await startPlatform("signout_reads", { ticketSecret });
    try {
      const reads: (number | string)[] = [];
      const watched: EventStore = {
        ...platform.store,
        readStream: (streamId, options) => {
          if (tokenStream.matches(streamId)) reads.push(options?.from ?? 0);
          return platform.store.readStream(streamId, options);
        },
      };
      const service = await joinPlatform(platform, { ticketSecret, store: watched });
      const token = await issued(service, "viewer");
      for (let i = 0; i < 3; i++) {
        const opened = await service.openSession(token.token);
        if (opened._tag !== "OpenedSession") throw new Error(opened._tag);
        expect(await service.endSession(opened.session.value)).toMatchObject({ _tag: "EndedSession" });
      }
      // the issue read the empty stream; each sign-out, only what followed the one before
      expect(reads).toEqual([0, 1, 2, 3]);
    } finally {
      await platform.stop();
    }
  });

  it("answers an expired token with WE-AUTH-002, and hides expiry and revocation from a wrong secret", async () => {
    let clock = Date.parse("2026-11-01T08:00:00.000Z");
    const platform = await startPlatform("expiry", { now: () => new Date(clock) });
    try {
      const token = await issued(platform.service, "viewer", { expiresAt: "2026-11-01T09:00:00.000Z" });
      expect(await platform.service.authenticate(token.token)).toMatchObject({ role: "viewer" });
      clock = Date.parse("2026-11-01T09:00:00.000Z");
      expect(await platform.service.authenticate(token.token)).toMatchObject({
        _tag: "AuthFailure",
        code: "WE-AUTH-002",
        reason: "expired",
      });
      const forged = mintToken(token.tokenId, randomBytes(TOKEN_SECRET_BYTES), hashKey).token;
      expect(await platform.service.authenticate(forged)).toMatchObject({
        code: "WE-AUTH-001",
        reason: "mismatch",
      });
      expect(await platform.service.authenticate(`we_${"0".repeat(32)}_${"A".repeat(32)}`)).toMatchObject({
        reason: "unknown",
      });
      expect(await platform.service.authenticate("short")).toMatchObject({ reason: "malformed" });
      // an expiry in the past is refused when issuing
      expect(
        await platform.service.issue(
          { name: "late", role: "viewer", expiresAt: "2026-11-01T08:59:00.000Z" },
          root,
        ),
      ).toMatchObject({ _tag: "TokenRejected", reason: "InvalidToken" });
    } finally {
      await platform.stop();
    }
  });

  it("issues and revokes for admins only", async () => {
    const platform = await startPlatform("rbac");
    try {
      const operator: Actor = { userId: "u-op", role: "operator" };
      expect(await platform.service.issue({ name: "x", role: "viewer" }, operator)).toMatchObject({
        _tag: "Forbidden",
        code: "WE-AUTH-003",
      });
      const token = await issued(platform.service, "viewer");
      expect(await platform.service.revoke(token.tokenId, operator)).toMatchObject({ _tag: "Forbidden" });
      const [event] = await platform.store.readStream(tokenStream.name(token.tokenId));
      expect(event?.metadata).toMatchObject({ actor: { userId: "u-root", role: "admin" } });
    } finally {
      await platform.stop();
    }
  });

  it("accepts a ticket bound to a live token, and refuses it once the token is revoked", async () => {
    const platform = await startPlatform("ticket");
    try {
      const token = await issued(platform.service, "operator");
      const actor = await platform.service.authenticate(token.token);
      if ("_tag" in actor) throw new Error("not authenticated");
      const { ticket } = platform.service.issueTicket(actor);
      expect(await platform.service.authenticateTicket(ticket)).toEqual(actor);
      expect(await platform.service.authenticate(ticket)).toMatchObject({ _tag: "AuthFailure" });
      // another process with another secret does not take it
      const other = await joinPlatform(platform);
      expect(await other.authenticateTicket(ticket)).toMatchObject({ reason: "invalid_ticket" });
      await platform.service.revoke(token.tokenId, root);
      expect(await platform.service.authenticateTicket(ticket)).toMatchObject({ reason: "revoked" });
    } finally {
      await platform.stop();
    }
  });
});

describe("ensureAdminToken", () => {
  it("mints an admin token on first start only, once even when two processes start together", async () => {
    const platform = await startPlatform("first");
    try {
      const other = await joinPlatform(platform);
      const outcomes = await Promise.all([
        ensureAdminToken({ service: platform.service }),
        ensureAdminToken({ service: other }),
      ]);
      const created = outcomes.filter((outcome) => outcome._tag === "AdminTokenCreated");
      expect(created).toHaveLength(1);
      expect(outcomes.map((outcome) => outcome._tag).sort()).toEqual([
        "AdminTokenCreated",
        "AdminTokenPresent",
      ]);
      const token = created[0]!._tag === "AdminTokenCreated" ? created[0]!.token : "";
      expect(await platform.service.authenticate(token)).toMatchObject({ userId: "admin", role: "admin" });
      expect(await ensureAdminToken({ service: platform.service })).toEqual({ _tag: "AdminTokenPresent" });
      // once the only admin token is revoked, the next start mints another
      await platform.service.revoke(
        created[0]!._tag === "AdminTokenCreated" ? created[0]!.tokenId : "",
        root,
      );
      expect(await ensureAdminToken({ service: platform.service })).toMatchObject({
        _tag: "AdminTokenCreated",
      });
    } finally {
      await platform.stop();
    }
  });

  it.each([
    ["any secret of 24 characters or more", "a-long-enough-secret-of-ours-1234"],
    ["a minted token", mintToken(randomUUID(), randomBytes(TOKEN_SECRET_BYTES), hashKey).token],
  ])("registers a preset admin token, %s, exactly once across restarts", async (_, preset) => {
    const name = `preset_${preset.startsWith("we_") ? "minted" : "free"}`;
    const first = await startPlatform(name);
    let tokenId: string;
    try {
      const outcome = await ensureAdminToken({ service: first.service, presetToken: preset });
      expect(outcome).toMatchObject({ _tag: "PresetRegistered" });
      expect(JSON.stringify(outcome)).not.toContain(preset);
      tokenId = outcome._tag === "PresetRegistered" ? outcome.tokenId : "";
      expect(await first.service.authenticate(preset)).toEqual({ userId: "admin", role: "admin", tokenId });
    } finally {
      await first.stop();
    }
    const second = await startPlatform(name);
    try {
      expect(await ensureAdminToken({ service: second.service, presetToken: preset })).toEqual({
        _tag: "PresetAlreadyRegistered",
        tokenId,
      });
      expect(await second.service.authenticate(preset)).toMatchObject({ role: "admin" });
      const events = await second.store.readAll({ filter: { streamPrefixes: ["token-"] } });
      expect(events.map((event) => event.type)).toEqual(["TokenIssued"]);
      expect(JSON.stringify(events)).not.toContain(preset);
      // a preset is not printed, and no other admin token is minted beside it
      expect((await second.service.list()).map((token) => token.tokenId)).toEqual([tokenId]);
    } finally {
      await second.stop();
    }
  });

  it("refuses a preset that is too short, and one that was revoked, instead of reviving it", async () => {
    const platform = await startPlatform("preset_refused");
    try {
      expect(
        await ensureAdminToken({ service: platform.service, presetToken: "short-secret" }),
      ).toMatchObject({
        _tag: "PresetRefused",
      });
      const preset = "another-long-enough-secret-5678";
      const registered = await ensureAdminToken({ service: platform.service, presetToken: preset });
      if (registered._tag !== "PresetRegistered") throw new Error(registered._tag);
      await platform.service.revoke(registered.tokenId, root);
      const again = await ensureAdminToken({ service: platform.service, presetToken: preset });
      expect(again).toMatchObject({ _tag: "PresetRefused", reason: expect.stringMatching(/revoked/) });
      expect(await platform.service.authenticate(preset)).toMatchObject({ reason: "revoked" });
    } finally {
      await platform.stop();
    }
  });

  it("still authenticates a token issued with an unkeyed sha256 hash, and re-hashes it on first use", async () => {
    const platform = await startPlatform("legacy");
    const legacyHash = (secret: string) => `sha256:${createHash("sha256").update(secret).digest("hex")}`;
    // what builds before keyed hashes appended: a TokenIssued with the plain sha256 of the secret
    const issueLegacy = async (tokenId: string, secret: string, role: "viewer" | "admin") => {
      const issuedAt = new Date();
      const result = await executeTokenCommand(
        { store: platform.store, newId: randomUUID, now: () => issuedAt },
        {
          type: "IssueToken",
          data: {
            tokenId,
            name: "from an older build",
            userId: `u-${role}`,
            role,
            hash: legacyHash(secret),
            prefix: secret.slice(0, 8),
            now: issuedAt.toISOString(),
          },
        },
        {
          correlationId: randomUUID(),
          causationId: randomUUID(),
          actor: { userId: "system", role: "system" },
        },
      );
      if (result._tag !== "Executed") throw new Error(result.message);
      await platform.runner.waitForPosition(result.position, 5_000);
    };
    const eventsOf = async (tokenId: string) => await platform.store.readStream(`token-${tokenId}`);
    try {
      const tokenId = randomUUID();
      const { token } = mintToken(tokenId, randomBytes(TOKEN_SECRET_BYTES), hashKey);
      await issueLegacy(tokenId, token, "viewer");
      expect(await platform.service.authenticate(token)).toEqual({
        userId: "u-viewer",
        role: "viewer",
        tokenId,
      });
      const events = await eventsOf(tokenId);
      expect(events.map((event) => event.type)).toEqual(["TokenIssued", "TokenRehashed"]);
      expect(events[1]!.data).toEqual({ tokenId, hash: hashToken(token, hashKey) });
      expect(JSON.stringify(events[1])).not.toContain(legacyHash(token).slice(7));

      // another process, nothing cached: the projected row now holds the keyed hash, and nothing more is appended
      await platform.runner.waitForPosition(events[1]!.position, 5_000);
      const other = await joinPlatform(platform, { cacheTtlMs: 0 });
      expect(await other.authenticate(token)).toMatchObject({ tokenId });
      expect(await other.authenticate(`${token.slice(0, -1)}x`)).toMatchObject({ reason: "mismatch" });
      const { rows } = await pool.query(`select hash from "${platform.schema}".api_tokens where id = $1`, [
        tokenId,
      ]);
      expect(rows[0].hash).toBe(hashToken(token, hashKey));
      expect((await eventsOf(tokenId)).map((event) => event.type)).toEqual(["TokenIssued", "TokenRehashed"]);

      // a legacy preset admin token is upgraded at start, when its secret is in hand
      const preset = "an-admin-secret-chosen-by-a-person";
      const presetId = tokenIdOf(preset)!;
      await issueLegacy(presetId, preset, "admin");
      expect(await ensureAdminToken({ service: platform.service, presetToken: preset })).toEqual({
        _tag: "PresetAlreadyRegistered",
        tokenId: presetId,
      });
      expect((await eventsOf(presetId)).map((event) => event.type)).toEqual(["TokenIssued", "TokenRehashed"]);

      // a revoked legacy token is refused as before, and not worth re-hashing
      const revokedId = randomUUID();
      const revoked = mintToken(revokedId, randomBytes(TOKEN_SECRET_BYTES), hashKey).token;
      await issueLegacy(revokedId, revoked, "viewer");
      await platform.service.revoke(revokedId, root);
      expect(await platform.service.authenticate(revoked)).toMatchObject({ reason: "revoked" });
      expect((await eventsOf(revokedId)).map((event) => event.type)).toEqual(["TokenIssued", "TokenRevoked"]);
    } finally {
      await platform.stop();
    }
  });
});
