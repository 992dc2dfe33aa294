import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RecordedEvent } from "../domain/ports/eventStore.ts";
import {
  openPostgresEventStore,
  type PostgresEventStore,
} from "../infra/eventstore/postgres/postgresEventStore.ts";
import { createTestDatabase, type TestDatabase } from "../test/support/testDatabase.ts";
import { runReactor } from "./reactorCheckpoint.ts";

let database: TestDatabase;
let store: PostgresEventStore;
let pool: pg.Pool;

beforeAll(async () => {
  database = await createTestDatabase("reactors");
  store = await openPostgresEventStore({ url: database.url, schema: "ev", pollMs: 100 });
  pool = new pg.Pool({ connectionString: database.url, max: 8 });
});
afterAll(async () => {
  await pool.end();
  await store.close();
  await database.drop();
});

const metadata = () => ({
  correlationId: randomUUID(),
  causationId: randomUUID(),
  actor: { userId: "u", role: "system" },
  schemaVersion: 1,
  occurredAt: new Date().toISOString(),
});

async function appendPings(stream: string, count: number): Promise<string[]> {
  const events = Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    type: "Ping",
    data: { i },
    metadata: metadata(),
  }));
  await store.append(stream, events, { expected: "any" });
  return events.map((e) => e.id);
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const checkpointOf = async (schema: string, name: string) =>
  Number(
    (await pool.query(`select position from "${schema}".reactor_checkpoints where name = $1`, [name])).rows[0]
      ?.position ?? 0,
  );

describe("runReactor", () => {
  it("handles matching events in order, saves its checkpoint after each, and resumes after it", async () => {
    const prefix = `ping-${randomUUID().slice(0, 8)}`;
    const first = await appendPings(`${prefix}-a`, 3);
    await appendPings(`other-${randomUUID()}`, 2); // filtered out
    const seen: string[] = [];
    const options = {
      name: "resume",
      store,
      pool,
      schema: "rx",
      filter: { streamPrefixes: [prefix] },
      handle: async (event: RecordedEvent) => void seen.push(event.id),
    };
    const reactor = runReactor(options);
    await waitFor("the first events", () => seen.length === 3);
    await reactor.stop();
    expect(seen).toEqual(first);
    expect(await checkpointOf("rx", "resume")).toBeGreaterThan(0);

    const second = await appendPings(`${prefix}-b`, 2);
    const again = runReactor(options);
    await waitFor("the new events", () => seen.length === 5);
    expect(again.status().state).toBe("running");
    await again.stop();
    expect(seen).toEqual([...first, ...second]); // none handled twice after a clean stop
  });

  it("retries a failing handler on the same event instead of skipping it", async () => {
    const prefix = `ping-${randomUUID().slice(0, 8)}`;
    const ids = await appendPings(prefix, 2);
    const calls: string[] = [];
    let failures = 2;
    const reactor = runReactor({
      name: "retry",
      store,
      pool,
      schema: "rx",
      filter: { streamPrefixes: [prefix] },
      retryDelayMs: { first: 20, max: 40 },
      handle: async (event) => {
        calls.push(event.id);
        if (event.id === ids[0] && failures-- > 0) throw new Error("not yet");
      },
    });
    await waitFor("both handled", () => calls.length === 4);
    await reactor.stop();
    expect(calls).toEqual([ids[0], ids[0], ids[0], ids[1]]);
  });

  it("runs single-active: a standby takes over from the leader's checkpoint when the leader goes", async () => {
    const prefix = `ping-${randomUUID().slice(0, 8)}`;
    const handledBy: [string, string][] = [];
    const start = (who: string) =>
      runReactor({
        name: "single",
        store,
        pool,
        schema: "rx",
        filter: { streamPrefixes: [prefix] },
        standbyPollMs: 50,
        handle: async (event) => void handledBy.push([who, event.id]),
      });
    const a = start("a");
    await waitFor("a to lead", () => a.status().state === "running");
    const b = start("b");
    const before = await appendPings(prefix, 3);
    await waitFor("a to handle", () => handledBy.length === 3);
    expect(b.status().state).toBe("standby");

    await a.stop();
    const after = await appendPings(prefix, 2);
    await waitFor("b to take over", () => handledBy.length === 5);
    await b.stop();
    expect(handledBy).toEqual([...before.map((id) => ["a", id]), ...after.map((id) => ["b", id])]);
  });

  it("loses the lead when its lock's connection dies, and hands the events on without losing any", async () => {
    const prefix = `ping-${randomUUID().slice(0, 8)}`;
    const handled: string[] = [];
    const options = (name: string) => ({
      name,
      store,
      pool,
      schema: "rx",
      filter: { streamPrefixes: [prefix] },
      standbyPollMs: 50,
      handle: async (event: RecordedEvent) => void handled.push(event.id),
    });
    const reactor = runReactor(options("killed"));
    await waitFor("the lead", () => reactor.status().state === "running");
    const ids = await appendPings(prefix, 2);
    await waitFor("the first events", () => handled.length === 2);
    // kill the session holding the advisory lock, as a crashed process or a cut network would
    const terminated = await pool.query(
      `select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory' and granted
         and objid = (hashtext('webencode-reactor:rx:killed')::bigint & 4294967295)::oid`,
    );
    expect(terminated.rowCount).toBe(1);
    const more = await appendPings(prefix, 2);
    await waitFor("the later events", () => handled.length >= 4);
    await reactor.stop();
    expect(new Set(handled)).toEqual(new Set([...ids, ...more]));
  });

  it("notes how far it read past events its filter skips, so a restart does not scan them again", async () => {
    const prefix = `ping-${randomUUID().slice(0, 8)}`;
    const reactor = runReactor({
      name: "skipping",
      store,
      pool,
      schema: "rx",
      filter: { streamPrefixes: [prefix] },
      skippedSaveIntervalMs: 0,
      handle: async () => {},
    });
    await waitFor("the lead", () => reactor.status().state === "running");
    await appendPings(`other-${randomUUID()}`, 3);
    const head = await store.headPosition();
    await waitFor(
      "the checkpoint to pass the skipped events",
      async () => (await checkpointOf("rx", "skipping")) >= head,
    );
    await reactor.stop();
  });
});
