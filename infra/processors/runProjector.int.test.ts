import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RecordedEvent } from "../../domain/ports/eventStore.ts";
import { jobsProjector } from "../../projections/jobs/jobsProjector.ts";
import type { Projector } from "../../projections/projector.ts";
import { generateJobHistories } from "../../test/support/jobHistories.ts";
import { snapshotJobReadModels } from "../../test/support/readModelSnapshot.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/testDatabase.ts";
import { openPostgresEventStore } from "../eventstore/postgres/postgresEventStore.ts";
import { rebuildProjection } from "./rebuildProjection.ts";
import { startProjector } from "./runProjector.ts";

let database: TestDatabase;
let pool: pg.Pool;
beforeAll(async () => {
  database = await createTestDatabase("crash");
  pool = new pg.Pool({ connectionString: database.url });
});
afterAll(async () => {
  await pool.end();
  await database.drop();
});

const waitUntil = async (condition: () => Promise<boolean>, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
};

/** A projector of one table, filled with a row per event of the streams named after it. */
function oneTableProjector(
  name: string,
  columns: string,
  row: (event: RecordedEvent) => unknown[],
): Projector {
  return {
    name,
    version: 1,
    tables: [
      { name, createTable: (table) => `create table ${table} (${columns})`, createIndexes: () => "select 1" },
    ],
    filter: { streamPrefixes: [`${name}-`] },
    async apply(events, context) {
      for (const event of events) {
        const values = row(event);
        await context.write(
          `insert into ${context.table(name)} values (${values.map((_, i) => `$${i + 1}`).join(", ")})`,
          values,
        );
      }
    },
  };
}

describe("projector runner", () => {
  it("killed with -9 in the middle of a batch, then restarted, leaves the read model exactly as a clean rebuild", async () => {
    const store = await openPostgresEventStore({ url: database.url, schema: "ev" });
    for (const h of generateJobHistories(250, 21))
      await store.append(h.streamId, h.events, { expected: "no_stream" });
    const head = await store.headPosition();

    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        fileURLToPath(new URL("../../test/support/slowProjectorProcess.ts", import.meta.url)),
        database.url,
        "ev",
        "rm",
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    const exited = new Promise((r) => child.once("exit", r));
    // wait until it has committed some batches and has one open right now
    const midBatch = await waitUntil(async () => {
      const progress = await pool
        .query<{ position: string }>(`select position from rm.projection_checkpoints where name = 'jobs'`)
        .catch(() => ({ rows: [] as { position: string }[] }));
      const position = Number(progress.rows[0]?.position ?? 0);
      if (position === 0) return false;
      const open = await pool.query(
        `select 1 from pg_stat_activity
          where application_name = 'webencode-slow-projector' and xact_start is not null and backend_xid is not null`,
      );
      return open.rows.length > 0;
    }, 60_000);
    expect(midBatch).toBe(true);
    child.kill("SIGKILL");
    await exited;

    const { rows } = await pool.query<{ position: string }>(
      `select position from rm.projection_checkpoints where name = 'jobs'`,
    );
    const before = Number(rows[0]!.position);
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(head); // it really died half-way

    const runner = startProjector({ store, pool, schema: "rm", projector: jobsProjector });
    expect(await runner.waitForPosition(head, 30_000)).toBe(true);
    await runner.stop();
    const resumed = await snapshotJobReadModels(pool, "rm");

    await rebuildProjection({ store, pool, schema: "rm", projector: jobsProjector });
    expect(await snapshotJobReadModels(pool, "rm")).toEqual(resumed);
    expect(resumed.job_timeline).toHaveLength(head);
    await store.close();
  });

  it("runs single-active: a second runner stands by and takes over when the first stops", async () => {
    const store = await openPostgresEventStore({ url: database.url, schema: "ev_ha", pollMs: 50 });
    const histories = generateJobHistories(20, 8);
    for (const h of histories.slice(0, 10))
      await store.append(h.streamId, h.events, { expected: "no_stream" });
    const first = startProjector({ store, pool, schema: "rm_ha", projector: jobsProjector });
    expect(await first.waitForPosition(await store.headPosition(), 10_000)).toBe(true);
    const second = startProjector({ store, pool, schema: "rm_ha", projector: jobsProjector });
    await new Promise((r) => setTimeout(r, 300));
    expect(second.status().state).toBe("standby");
    await first.stop();
    for (const h of histories.slice(10)) await store.append(h.streamId, h.events, { expected: "no_stream" });
    expect(await second.waitForPosition(await store.headPosition(), 10_000)).toBe(true);
    const { rows } = await pool.query(`select count(*)::int as n from rm_ha.jobs`);
    expect(rows[0]).toEqual({ n: 20 });
    await second.stop();
    await store.close();
  });

  it("reaches a position its filter skips, live and when catching up (read-your-writes across streams)", async () => {
    const store = await openPostgresEventStore({ url: database.url, schema: "ev_skip", pollMs: 50 });
    const [job] = generateJobHistories(1, 4);
    await store.append(job!.streamId, job!.events, { expected: "no_stream" });
    const other = (n: number) => ({ id: randomUUID(), type: "TokenIssued", data: { n }, metadata: {} });
    await store.append("token-a", [other(1)], { expected: "no_stream" }); // the head is not a job event
    const runner = startProjector({ store, pool, schema: "rm_skip", projector: jobsProjector });
    try {
      expect(await runner.waitForPosition(await store.headPosition(), 5_000)).toBe(true);
      await store.append("token-b", [other(2)], { expected: "no_stream" });
      expect(await runner.waitForPosition(await store.headPosition(), 5_000)).toBe(true);
    } finally {
      await runner.stop();
      await store.close();
    }
  });

  it("survives losing the connection that holds its leadership, and carries on", async () => {
    const store = await openPostgresEventStore({ url: database.url, schema: "ev_lost", pollMs: 50 });
    const histories = generateJobHistories(6, 12);
    for (const h of histories.slice(0, 3))
      await store.append(h.streamId, h.events, { expected: "no_stream" });
    const runner = startProjector({ store, pool, schema: "rm_lost", projector: jobsProjector });
    try {
      expect(await runner.waitForPosition(await store.headPosition(), 10_000)).toBe(true);
      const killed = await pool.query(
        `select pg_terminate_backend(pid) from pg_locks
          where locktype = 'advisory' and granted and database = (select oid from pg_database where datname = current_database())`,
      );
      expect(killed.rowCount).toBeGreaterThan(0);
      for (const h of histories.slice(3)) await store.append(h.streamId, h.events, { expected: "no_stream" });
      expect(await runner.waitForPosition(await store.headPosition(), 15_000)).toBe(true);
      const { rows } = await pool.query("select count(*)::int as n from rm_lost.jobs");
      expect(rows[0]).toEqual({ n: 6 });
    } finally {
      await runner.stop();
      await store.close();
    }
  });
});

describe("a poison event", () => {
  it("fails its batch, which is retried, then applied event by event: the event at fault is parked after its attempts, the rest projected", async () => {
    const store = await openPostgresEventStore({ url: database.url, schema: "ev_poison", pollMs: 50 });
    const schema = "rm_poison";
    // a real write that fails for one event: the row breaks the table's check constraint
    const projector = oneTableProjector(
      "amounts",
      "id text primary key, amount int check (amount >= 0)",
      (event) => [event.id, (event.data as { amount: number }).amount],
    );
    const amounts = [3, -1, 4, 5];
    const ids = amounts.map(() => randomUUID());
    await store.append(
      "amounts-1",
      amounts.map((amount, i) => ({ id: ids[i]!, type: "Amounted", data: { amount }, metadata: {} })),
      { expected: "no_stream" },
    );
    const errors: string[] = [];
    const runner = startProjector({
      store,
      pool,
      schema,
      projector,
      retry: { maxAttempts: 3, firstDelayMs: 10, maxDelayMs: 20 },
      log: (level, message) => level === "error" && errors.push(message),
    });
    try {
      expect(await runner.waitForPosition(await store.headPosition(), 15_000)).toBe(true);
      const { rows } = await pool.query(`select id from rm_poison.amounts order by amount`);
      expect(rows.map((row) => row.id)).toEqual([ids[0], ids[2], ids[3]]);
      const parked = await pool.query(`select event_id, attempts, error from rm_poison.dead_letters`);
      expect(parked.rows).toEqual([
        { event_id: ids[1], attempts: 3, error: expect.stringContaining("check constraint") },
      ]);
      // three tries of the batch, then of the event alone
      const retried = (what: RegExp) => errors.filter((e) => what.test(e));
      expect(retried(/a batch of 4 events up to \d+ failed, retrying/)).toHaveLength(2);
      expect(retried(/Amounted at \d+ failed, retrying/)).toHaveLength(2);

      // a rebuild skips it the same way
      await runner.stop();
      const live = (await pool.query(`select * from rm_poison.amounts order by id`)).rows;
      await rebuildProjection({ store, pool, schema, projector });
      expect((await pool.query(`select * from rm_poison.amounts order by id`)).rows).toEqual(live);
    } finally {
      await runner.stop();
      await store.close();
    }
  });
});

describe("a projector whose tables cannot be made yet", () => {
  it("says why in its status and tries again until they can, then projects", async () => {
    const store = await openPostgresEventStore({ url: database.url, schema: "ev_late", pollMs: 50 });
    const schema = "rm_late";
    // the table refers to one that an operator has not created yet: creating it fails until they do
    const projector = oneTableProjector(
      "owned",
      "id text primary key references public.owners (id)",
      (event) => [event.streamId],
    );
    await store.append("owned-1", [{ id: randomUUID(), type: "Owned", data: {}, metadata: {} }], {
      expected: "no_stream",
    });
    const runner = startProjector({ store, pool, schema, projector });
    try {
      expect(
        await waitUntil(async () => /owners/.test(runner.status().error ?? ""), 30_000),
        "the failure shows in the status",
      ).toBe(true);
      await pool.query(
        `create table public.owners (id text primary key); insert into public.owners values ('owned-1')`,
      );
      expect(await runner.waitForPosition(await store.headPosition(), 30_000)).toBe(true);
      const { rows } = await pool.query(`select id from rm_late.owned`);
      expect(rows).toEqual([{ id: "owned-1" }]);
      expect(runner.status()).toMatchObject({ state: "live" });
      expect(runner.status().error).toBeUndefined();
    } finally {
      await runner.stop();
      await store.close();
    }
  });
});
