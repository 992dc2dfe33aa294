import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  openPostgresEventStore,
  type PostgresEventStore,
} from "../../infra/eventstore/postgres/postgresEventStore.ts";
import { ensureReadModel } from "../../infra/processors/readModelTables.ts";
import { rebuildProjection } from "../../infra/processors/rebuildProjection.ts";
import { startProjector } from "../../infra/processors/runProjector.ts";
import { generateJobHistories } from "../../test/support/jobHistories.ts";
import { snapshotJobReadModels } from "../../test/support/readModelSnapshot.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/testDatabase.ts";
import { createJobsProjector, jobsProjector } from "./jobsProjector.ts";

let database: TestDatabase;
let store: PostgresEventStore;
let pool: pg.Pool;

beforeAll(async () => {
  database = await createTestDatabase("jobs");
  pool = new pg.Pool({ connectionString: database.url, max: 6 });
});
afterAll(async () => {
  await pool.end();
  await database.drop();
});

async function openStore(schema: string) {
  store = await openPostgresEventStore({ url: database.url, schema, pollMs: 50 });
  return store;
}

describe("jobs projector", () => {
  it("projects thousands of events live in small batches, counts jobs by status and source type, and a rebuild equals the live tables row for row", async () => {
    await openStore("ev_rebuild");
    const schema = "rm_rebuild";
    const histories = generateJobHistories(300, 7);
    const runner = startProjector({ store, pool, schema, projector: jobsProjector, batchSize: 37 });
    try {
      // appended while the projector runs, interleaved across jobs, so batches cut through histories
      const cursors = histories.map(() => 0);
      let remaining = histories.reduce((n, h) => n + h.events.length, 0);
      const total = remaining;
      while (remaining > 0) {
        const i = Math.floor(Math.random() * histories.length);
        const history = histories[i]!;
        const at = cursors[i]!;
        if (at >= history.events.length) continue;
        const take = Math.min(history.events.length - at, 1 + Math.floor(Math.random() * 4));
        const outcome = await store.append(history.streamId, history.events.slice(at, at + take), {
          expected: at === 0 ? "no_stream" : at - 1,
        });
        expect(outcome._tag).toBe("Appended");
        cursors[i] = at + take;
        remaining -= take;
      }
      expect(total).toBeGreaterThan(3000);
      const head = await store.headPosition();
      expect(await runner.waitForPosition(head, 30_000)).toBe(true);

      const live = await snapshotJobReadModels(pool, schema);
      expect(live.jobs).toHaveLength(300);
      expect(live.job_timeline).toHaveLength(total);
      const completed = histories.filter((h) => h.events.some((e) => e.type === "JobCompleted")).length;
      expect(live.jobs.filter((j) => (j as { status: string }).status === "completed")).toHaveLength(
        completed,
      );
      // the counts the list's total is read from are those of the rows themselves
      const { rows: counted } = await pool.query(
        `select status, source_type, count(*)::int as n from "${schema}".jobs where not deleted
         group by status, source_type order by status, source_type`,
      );
      expect(live.job_counts).toEqual(counted);
      expect(counted.length).toBeGreaterThan(2);

      const result = await rebuildProjection({ store, pool, schema, projector: jobsProjector });
      expect(result.events).toBe(total);
      expect(await snapshotJobReadModels(pool, schema)).toEqual(live);
      // small pages cut through the interleaved histories: rows carried from page to page, and with
      // a carry of 5 jobs most are evicted and read back from what the rebuild wrote before
      for (const projector of [jobsProjector, createJobsProjector({ carriedJobs: 5 })]) {
        const paged = await rebuildProjection({ store, pool, schema, projector, pageSize: 53 });
        expect(paged.events).toBe(total);
        expect(await snapshotJobReadModels(pool, schema)).toEqual(live);
      }

      // the live runner carries on into the swapped-in tables
      const [extra] = generateJobHistories(1, 99);
      await store.append(extra!.streamId, extra!.events, { expected: "no_stream" });
      expect(await runner.waitForPosition(await store.headPosition(), 10_000)).toBe(true);
      const { rows } = await pool.query(`select status from "${schema}".jobs where id = $1`, [extra!.jobId]);
      expect(rows).toHaveLength(1);
      expect(runner.status().state).toBe("live");
    } finally {
      await runner.stop();
      await store.close();
    }
  });

  it("readers never see a missing or half-built table while a rebuild swaps", async () => {
    await openStore("ev_swap");
    const schema = "rm_swap";
    for (const h of generateJobHistories(200, 3))
      await store.append(h.streamId, h.events, { expected: "no_stream" });
    await ensureReadModel(pool, schema, jobsProjector, store, () => {});
    await rebuildProjection({ store, pool, schema, projector: jobsProjector });
    const counts: number[] = [];
    let reading = true;
    const reader = (async () => {
      while (reading) {
        const { rows } = await pool.query<{ n: string }>(`select count(*) as n from "${schema}".jobs`);
        counts.push(Number(rows[0]!.n));
      }
    })();
    for (let i = 0; i < 3; i++) await rebuildProjection({ store, pool, schema, projector: jobsProjector });
    reading = false;
    await reader;
    await store.close();
    expect(counts.length).toBeGreaterThan(3);
    expect(new Set(counts)).toEqual(new Set([200]));
  });

  it("parks a malformed event, naming its position, projects the events behind it, and a rebuild skips it too", async () => {
    await openStore("ev_bad");
    const schema = "rm_bad";
    const [good, later] = generateJobHistories(2, 5);
    await store.append(good!.streamId, good!.events, { expected: "no_stream" });
    const badId = randomUUID();
    const badStream = `job-${randomUUID()}`;
    const bad = await store.append(
      badStream,
      [{ id: badId, type: "JobSubmitted", data: { jobId: 42 }, metadata: good!.events[0]!.metadata }],
      { expected: "no_stream" },
    );
    await store.append(later!.streamId, later!.events, { expected: "no_stream" });
    const errors: string[] = [];
    const runner = startProjector({
      store,
      pool,
      schema,
      projector: jobsProjector,
      batchSize: 5,
      log: (level, message) => level === "error" && errors.push(message),
    });
    try {
      const position = bad._tag === "Appended" ? bad.position : -1;
      expect(await runner.waitForPosition(await store.headPosition(), 10_000)).toBe(true);
      expect(runner.status()).toMatchObject({ state: "live" });
      expect(runner.status().error).toBeUndefined();
      expect(errors.join("\n")).toMatch(new RegExp(`parked JobSubmitted at ${position}.*malformed event`));
      const { rows } = await pool.query<{ id: string }>(`select id from "${schema}".jobs order by id`);
      expect(rows.map((r) => r.id)).toEqual([good!.jobId, later!.jobId].sort());
      const parked = await pool.query(
        `select kind, processor, position, event_id, stream, type, attempts, error from "${schema}".dead_letters`,
      );
      expect(parked.rows).toEqual([
        {
          kind: "projector",
          processor: "jobs",
          position: String(position),
          event_id: badId,
          stream: badStream,
          type: "JobSubmitted",
          attempts: 1,
          error: expect.stringMatching(/^projector jobs stopped at position \d+ .*malformed event/),
        },
      ]);

      // the rebuild skips the parked event as the live runner did, and gives its connections back
      await runner.stop();
      const live = await snapshotJobReadModels(pool, schema);
      expect(live.job_timeline).toHaveLength(good!.events.length + later!.events.length);
      await rebuildProjection({ store, pool, schema, projector: jobsProjector, pageSize: 7 });
      expect(await snapshotJobReadModels(pool, schema)).toEqual(live);
      expect(pool.totalCount - pool.idleCount).toBe(0);
    } finally {
      await runner.stop();
      await store.close();
    }
  });

  it("waits at an event type it does not know, parking nothing (a newer version knows it), and so does a rebuild", async () => {
    await openStore("ev_unknown");
    const schema = "rm_unknown";
    const [good] = generateJobHistories(1, 11);
    await store.append(good!.streamId, good!.events, { expected: "no_stream" });
    const unknown = await store.append(
      good!.streamId,
      [{ id: randomUUID(), type: "JobTeleported", data: {}, metadata: good!.events[0]!.metadata }],
      { expected: good!.events.length - 1 },
    );
    const runner = startProjector({
      store,
      pool,
      schema,
      projector: jobsProjector,
      retry: { maxAttempts: 2, firstDelayMs: 10, maxDelayMs: 20 },
    });
    try {
      const position = unknown._tag === "Appended" ? unknown.position : -1;
      expect(await runner.waitForPosition(position, 2_000)).toBe(false);
      expect(runner.status()).toMatchObject({ state: "retrying" });
      expect(runner.status().error).toMatch(
        new RegExp(`position ${position}.*unknown event type JobTeleported`),
      );
      const parked = await pool.query(`select 1 from "${schema}".dead_letters`);
      expect(parked.rows).toEqual([]);

      // a rebuild stops at the same event, swaps nothing in and gives its connections back
      await runner.stop();
      const before = await snapshotJobReadModels(pool, schema);
      const checkpoint = await pool.query<{ position: string }>(
        `select position from "${schema}".projection_checkpoints where name = 'jobs'`,
      );
      await expect(
        rebuildProjection({ store, pool, schema, projector: jobsProjector, pageSize: 7 }),
      ).rejects.toThrow(`position ${position}`);
      expect(await snapshotJobReadModels(pool, schema)).toEqual(before);
      const after = await pool.query<{ position: string }>(
        `select position from "${schema}".projection_checkpoints where name = 'jobs'`,
      );
      expect(after.rows[0]!.position).toBe(checkpoint.rows[0]!.position);
      expect(pool.totalCount - pool.idleCount).toBe(0);
    } finally {
      await runner.stop();
      await store.close();
    }
  });
});
