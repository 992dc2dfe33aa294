import { randomBytes, randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeTokenCommand } from "../../commands/auth/executeTokenCommand.ts";
import { mintToken, TOKEN_SECRET_BYTES, tokenHashKey } from "../../domain/token/mintToken.ts";
import { openPostgresEventStore } from "../../infra/eventstore/postgres/postgresEventStore.ts";
import { rebuildProjection } from "../../infra/processors/rebuildProjection.ts";
import { startProjector } from "../../infra/processors/runProjector.ts";
import { snapshotTable } from "../../test/support/readModelSnapshot.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/testDatabase.ts";
import { tokensProjector } from "./tokensProjector.ts";

let database: TestDatabase;
let pool: pg.Pool;
beforeAll(async () => {
  database = await createTestDatabase("tokens");
  pool = new pg.Pool({ connectionString: database.url, max: 6 });
});
afterAll(async () => {
  await pool.end();
  await database.drop();
});

const context = (userId: string) => ({
  correlationId: randomUUID(),
  causationId: randomUUID(),
  actor: { userId, role: "admin" as const },
});

describe("tokens projector", () => {
  it("projects issued and revoked tokens with times from the events, and a rebuild equals the live table", async () => {
    const store = await openPostgresEventStore({ url: database.url, schema: "ev", pollMs: 50 });
    const schema = "rm";
    const runner = startProjector({ store, pool, schema, projector: tokensProjector, batchSize: 7 });
    try {
      let clock = Date.parse("2026-11-01T08:00:00.000Z");
      const deps = {
        store,
        newId: randomUUID,
        now: () => {
          clock += 1000;
          return new Date(clock);
        },
      };
      const roles = ["viewer", "operator", "admin"] as const;
      const issued: { tokenId: string; hash: string; prefix: string; role: string; expiresAt?: string }[] =
        [];
      for (let i = 0; i < 40; i++) {
        const tokenId = randomUUID();
        const { hash, prefix } = mintToken(
          tokenId,
          randomBytes(TOKEN_SECRET_BYTES),
          tokenHashKey("projector test"),
        );
        const role = roles[i % 3]!;
        const expiresAt = i % 4 === 0 ? "2027-01-01T00:00:00.000Z" : undefined;
        const data = { tokenId, name: `token ${i}`, userId: `u-${i % 5}`, role, hash, prefix, expiresAt };
        const result = await executeTokenCommand(
          deps,
          { type: "IssueToken", data: { ...data, now: new Date(clock).toISOString() } },
          context("u-root"),
        );
        expect(result._tag).toBe("Executed");
        issued.push(data);
        // job events in between are not the tokens projector's business
        await store.append(
          `job-${randomUUID()}`,
          [{ id: randomUUID(), type: "JobDeleted", data: {}, metadata: {} }],
          { expected: "any" },
        );
      }
      const revoked = issued.filter((_, i) => i % 3 === 1);
      for (const { tokenId } of revoked) {
        await executeTokenCommand(
          deps,
          { type: "RevokeToken", data: { tokenId, reason: "r" } },
          context("u-root"),
        );
      }
      // the last event of the log is a job event: the projector stands at the last token event
      const lastJob = await store.append(
        `job-${randomUUID()}`,
        [{ id: randomUUID(), type: "JobDeleted", data: {}, metadata: {} }],
        { expected: "any" },
      );
      expect(lastJob._tag).toBe("Appended");
      const head = await store.headPosition();
      expect(await runner.waitForPosition(head - 1, 20_000)).toBe(true);

      const live = await snapshotTable(pool, schema, "api_tokens", "id");
      expect(live).toHaveLength(40);
      const byId = new Map(live.map((row) => [(row as { id: string }).id, row as Record<string, unknown>]));
      const first = issued[0]!;
      expect(byId.get(first.tokenId)).toMatchObject({
        name: "token 0",
        user_id: "u-0",
        role: "viewer",
        hash: first.hash,
        prefix: first.prefix,
        created_at: "2026-11-01T08:00:01+00:00",
        revoked_at: null,
      });
      expect(Date.parse(String(byId.get(first.tokenId)?.expires_at))).toBe(
        Date.parse("2027-01-01T00:00:00Z"),
      );
      expect(byId.get(issued[2]!.tokenId)?.expires_at).toBeNull();
      for (const { tokenId } of revoked) expect(byId.get(tokenId)?.revoked_at).not.toBeNull();
      expect(live.filter((row) => (row as { revoked_at: unknown }).revoked_at !== null)).toHaveLength(
        revoked.length,
      );

      const result = await rebuildProjection({ store, pool, schema, projector: tokensProjector });
      expect(result.events).toBe(40 + revoked.length);
      expect(await snapshotTable(pool, schema, "api_tokens", "id")).toEqual(live);
    } finally {
      await runner.stop();
      await store.close();
    }
  });

  it("remembers signed-out sessions until they would have expired, none once revoked, and a rebuild agrees", async () => {
    const store = await openPostgresEventStore({ url: database.url, schema: "ev_sessions", pollMs: 50 });
    const schema = "rm_sessions";
    const runner = startProjector({ store, pool, schema, projector: tokensProjector });
    try {
      let clock = "2026-11-01T08:00:00.000Z";
      const deps = { store, newId: randomUUID, now: () => new Date(clock) };
      const issue = async (tokenId: string) => {
        const { hash, prefix } = mintToken(
          tokenId,
          randomBytes(TOKEN_SECRET_BYTES),
          tokenHashKey("projector test"),
        );
        const data = { tokenId, name: "browser", userId: "u-web", role: "viewer" as const, hash, prefix };
        const result = await executeTokenCommand(
          deps,
          { type: "IssueToken", data: { ...data, now: clock } },
          context("u-root"),
        );
        expect(result._tag).toBe("Executed");
      };
      const endSession = async (tokenId: string, sessionId: string, expiresAt: string, at: string) => {
        clock = at;
        const result = await executeTokenCommand(
          deps,
          { type: "EndSession", data: { tokenId, sessionId, expiresAt, now: at } },
          context("u-web"),
        );
        expect(result._tag).toBe("Executed");
      };
      // session ids as cookies carry them: 22 base64url characters
      const s1 = "session1xxxxxxxxxxxxxx";
      const s2 = "session2xxxxxxxxxxxxxx";
      const s3 = "session3xxxxxxxxxxxxxx";
      const s4 = "session4xxxxxxxxxxxxxx";
      const s5 = "session5xxxxxxxxxxxxxx";
      const kept = randomUUID();
      await issue(kept);
      await endSession(kept, s1, "2026-11-01T09:00:00.000Z", "2026-11-01T08:01:00.000Z");
      await endSession(kept, s2, "2026-11-01T20:00:00.000Z", "2026-11-01T08:02:00.000Z");
      // at 09:30, s1 would have expired: the row forgets it
      await endSession(kept, s3, "2026-11-01T21:00:00.000Z", "2026-11-01T09:30:00.000Z");
      const revoked = randomUUID();
      await issue(revoked);
      await endSession(revoked, s4, "2026-11-01T21:00:00.000Z", "2026-11-01T09:31:00.000Z");
      clock = "2026-11-01T09:32:00.000Z";
      const revocation = await executeTokenCommand(
        deps,
        { type: "RevokeToken", data: { tokenId: revoked } },
        context("u-root"),
      );
      expect(revocation._tag).toBe("Executed");
      // a session of a revoked token is over already: the decider records nothing
      await endSession(revoked, s5, "2026-11-01T21:00:00.000Z", "2026-11-01T09:33:00.000Z");

      expect(await runner.waitForPosition(await store.headPosition(), 10_000)).toBe(true);
      const { rows } = await pool.query<{ id: string; ended_sessions: Record<string, string> }>(
        `select id, ended_sessions from "${schema}".api_tokens`,
      );
      const endedOf = new Map(rows.map((row) => [row.id, row.ended_sessions]));
      expect(endedOf.get(kept)).toEqual({
        [s2]: "2026-11-01T20:00:00.000Z",
        [s3]: "2026-11-01T21:00:00.000Z",
      });
      expect(endedOf.get(revoked)).toEqual({});
      const live = await snapshotTable(pool, schema, "api_tokens", "id");
      const result = await rebuildProjection({ store, pool, schema, projector: tokensProjector });
      expect(result.events).toBe(2 + 3 + 1 + 1);
      expect(await snapshotTable(pool, schema, "api_tokens", "id")).toEqual(live);
    } finally {
      await runner.stop();
      await store.close();
    }
  });

  it("parks a token event filed under another token's stream, naming its position, and projects the next", async () => {
    const store = await openPostgresEventStore({ url: database.url, schema: "ev_bad", pollMs: 50 });
    const schema = "rm_bad";
    const tokenId = randomUUID();
    const bad = await store.append(
      `token-${randomUUID()}`,
      [
        {
          id: randomUUID(),
          type: "TokenRevoked",
          data: { tokenId },
          metadata: { ...context("u-root"), schemaVersion: 1, occurredAt: "2026-11-01T08:00:00.000Z" },
        },
      ],
      { expected: "no_stream" },
    );
    const nextId = randomUUID();
    const minted = mintToken(nextId, randomBytes(TOKEN_SECRET_BYTES), tokenHashKey("projector test"));
    const next = await executeTokenCommand(
      { store, newId: randomUUID, now: () => new Date("2026-11-01T08:00:01.000Z") },
      {
        type: "IssueToken",
        data: {
          tokenId: nextId,
          name: "after the bad one",
          userId: "u-next",
          role: "viewer",
          hash: minted.hash,
          prefix: minted.prefix,
          now: "2026-11-01T08:00:01.000Z",
        },
      },
      context("u-root"),
    );
    expect(next._tag).toBe("Executed");
    const runner = startProjector({ store, pool, schema, projector: tokensProjector });
    try {
      const position = bad._tag === "Appended" ? bad.position : -1;
      // the projector's own verdict is final: parked at once, no retries, and the next token projected
      expect(await runner.waitForPosition(await store.headPosition(), 10_000)).toBe(true);
      expect(runner.status().state).toBe("live");
      const parked = await pool.query<{ position: string; attempts: number; error: string }>(
        `select position, attempts, error from "${schema}".dead_letters`,
      );
      expect(parked.rows).toHaveLength(1);
      expect(parked.rows[0]).toMatchObject({ position: String(position), attempts: 1 });
      expect(parked.rows[0]!.error).toContain("in another token's stream");
      const { rows } = await pool.query(`select user_id from "${schema}".api_tokens`);
      expect(rows).toEqual([{ user_id: "u-next" }]);
    } finally {
      await runner.stop();
      await store.close();
    }
  });
});
