// Event-store throughput on PostgreSQL, against a raw multi-row INSERT … unnest of the same rows as
// the physical baseline, all in one run. Prints a table, then one JSON line of figures.
import { randomUUID } from "node:crypto";
import os from "node:os";
import pg from "pg";
import type { EventData } from "../domain/ports/eventStore.ts";
import { openPostgresEventStore } from "../infra/eventstore/postgres/postgresEventStore.ts";
import { ensureReadModel } from "../infra/processors/readModelTables.ts";
import { rebuildProjection } from "../infra/processors/rebuildProjection.ts";
import { jobsProjector } from "../projections/jobs/jobsProjector.ts";
import { generateJobHistories } from "../test/support/jobHistories.ts";
import { openBenchDatabase, percentile, round } from "./benchDatabase.ts";

const SINGLE_APPENDS = 3000;
const BATCHES = 300;
const BATCH_SIZE = 100;
const CONCURRENT_WRITERS = 8;
const CONCURRENT_APPENDS_PER_WRITER = 1000;
const REBUILD_JOBS = 4000;

const payload = () => ({
  jobId: randomUUID(),
  sourceUrl: "fs://uploads/holiday-2026.mov",
  profileId: "1080p_h264",
  outputConfig: { container: "mp4" },
});
const metadata = () => ({
  correlationId: randomUUID(),
  causationId: randomUUID(),
  actor: { userId: "bench", role: "operator" },
  schemaVersion: 1,
  occurredAt: new Date().toISOString(),
});
const eventData = (): EventData => ({
  id: randomUUID(),
  type: "BenchEvent",
  data: payload(),
  metadata: metadata(),
});

export async function run(): Promise<number> {
  const db = await openBenchDatabase();
  const store = await openPostgresEventStore({ url: db.url, schema: "bench_events", poolSize: 10 });
  const raw = new pg.Pool({ connectionString: db.url, max: 2 });
  try {
    // baseline: the same rows through a plain multi-row insert (no checks, no ordering guarantees)
    await raw.query(`create table bench_raw (position bigserial primary key, stream_id text, revision bigint,
      event_id uuid, type text, data jsonb, metadata jsonb, created_at timestamptz default now())`);
    let t = performance.now();
    for (let b = 0; b < BATCHES; b++) {
      const rows = Array.from({ length: BATCH_SIZE }, (_, i) => ({
        ...eventData(),
        streamId: `raw-${b}`,
        revision: i,
      }));
      await raw.query(
        `insert into bench_raw (stream_id, revision, event_id, type, data, metadata)
         select * from unnest($1::text[], $2::bigint[], $3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[])`,
        [
          rows.map((r) => r.streamId),
          rows.map((r) => r.revision),
          rows.map((r) => r.id),
          rows.map((r) => r.type),
          rows.map((r) => JSON.stringify(r.data)),
          rows.map((r) => JSON.stringify(r.metadata)),
        ],
      );
    }
    const baselineEps = (BATCHES * BATCH_SIZE) / ((performance.now() - t) / 1000);

    // the physical floor of a single append: one row, one transaction, one WAL flush
    const raw1 = await raw.connect();
    t = performance.now();
    for (let i = 0; i < SINGLE_APPENDS; i++) {
      const row = eventData();
      await raw1.query(
        "insert into bench_raw (stream_id, revision, event_id, type, data, metadata) values ($1, 0, $2, $3, $4, $5)",
        [`raw-single-${i}`, row.id, row.type, JSON.stringify(row.data), JSON.stringify(row.metadata)],
      );
    }
    raw1.release();
    const baselineSingleEps = SINGLE_APPENDS / ((performance.now() - t) / 1000);

    // single appends, one after another, each its own stream and transaction
    const latencies: number[] = [];
    t = performance.now();
    for (let i = 0; i < SINGLE_APPENDS; i++) {
      const start = performance.now();
      await store.append(`single-${i}`, [eventData()], { expected: "no_stream" });
      latencies.push(performance.now() - start);
    }
    const singleEps = SINGLE_APPENDS / ((performance.now() - t) / 1000);
    latencies.sort((a, b) => a - b);

    // batched appends: 100 events per append
    t = performance.now();
    for (let b = 0; b < BATCHES; b++) {
      await store.append(`batch-${b}`, Array.from({ length: BATCH_SIZE }, eventData), {
        expected: "no_stream",
      });
    }
    const batchedEps = (BATCHES * BATCH_SIZE) / ((performance.now() - t) / 1000);

    // 8 concurrent appenders of single events, each on its own stream with an exact expected revision
    t = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENT_WRITERS }, async (_, w) => {
        for (let n = 0; n < CONCURRENT_APPENDS_PER_WRITER; n++) {
          await store.append(`concurrent-${w}`, [eventData()], { expected: n === 0 ? "no_stream" : n - 1 });
        }
      }),
    );
    const concurrentEps =
      (CONCURRENT_WRITERS * CONCURRENT_APPENDS_PER_WRITER) / ((performance.now() - t) / 1000);

    // realistic job histories for the projection rebuild
    for (const history of generateJobHistories(REBUILD_JOBS, 42)) {
      await store.append(history.streamId, history.events, { expected: "no_stream" });
    }

    // Let the database settle after the bulk load, as autovacuum would shortly on its own: otherwise its
    // vacuum of the new rows lands, at random, inside one of the timed reads below.
    await raw.query("vacuum analyze bench_events.es_events, bench_events.es_streams");

    // catch-up read of everything through a subscription
    const total = await store.headPosition();
    let read = 0;
    t = performance.now();
    const subscription = store.subscribeToAll({ from: "start" });
    for await (const message of subscription) {
      if (message.type === "caughtUp") break;
      read++;
    }
    await subscription.close();
    const catchupEps = read / ((performance.now() - t) / 1000);

    const schema = "bench_read";
    await ensureReadModel(store.pool, schema, jobsProjector, store, () => {});
    // twice: the first rebuild also pays for compiling the projector's code; the second shows the rate
    // a long rebuild sustains
    const rebuild = () => rebuildProjection({ store, pool: store.pool, schema, projector: jobsProjector });
    const cold = await rebuild();
    const rebuilt = await rebuild();
    const rebuildColdEps = cold.events / cold.seconds;
    const rebuildEps = rebuilt.events / rebuilt.seconds;

    const figures = {
      single_append_eps: round(singleEps),
      single_append_p50_ms: round(percentile(latencies, 50), 3),
      single_append_p99_ms: round(percentile(latencies, 99), 3),
      batched_append_eps: round(batchedEps),
      concurrent_append_eps: round(concurrentEps),
      catchup_read_eps: round(catchupEps),
      rebuild_eps: round(rebuildEps),
      rebuild_cold_eps: round(rebuildColdEps),
      baseline_insert_eps: round(baselineEps),
      baseline_single_insert_eps: round(baselineSingleEps),
    };
    const ratio = (n: number) => `${(n / baselineEps).toFixed(2)}× baseline`;
    console.log(`event store on ${db.where}, ${os.cpus().length} cores, Node ${process.version}`);
    console.log(
      `  raw INSERT … unnest (baseline)  ${figures.baseline_insert_eps.toLocaleString("en")} rows/s`,
    );
    console.log(
      `  raw single-row INSERT + commit  ${figures.baseline_single_insert_eps.toLocaleString("en")} rows/s (the floor for single appends)`,
    );
    console.log(
      `  single appends                  ${figures.single_append_eps.toLocaleString("en")} events/s  p50 ${figures.single_append_p50_ms} ms  p99 ${figures.single_append_p99_ms} ms  (${(singleEps / baselineSingleEps).toFixed(2)}× single-row baseline)`,
    );
    console.log(
      `  batched appends (×${BATCH_SIZE})          ${figures.batched_append_eps.toLocaleString("en")} events/s  (${ratio(batchedEps)})`,
    );
    console.log(
      `  ${CONCURRENT_WRITERS} concurrent appenders          ${figures.concurrent_append_eps.toLocaleString("en")} events/s  (${ratio(concurrentEps)})`,
    );
    console.log(
      `  catch-up read (${read} events)  ${figures.catchup_read_eps.toLocaleString("en")} events/s  (${ratio(catchupEps)})`,
    );
    console.log(
      `  jobs projection rebuild (${rebuilt.events} events)  ${figures.rebuild_eps.toLocaleString("en")} events/s  (${ratio(rebuildEps)}; the first, cold: ${figures.rebuild_cold_eps.toLocaleString("en")} events/s)`,
    );
    console.log(`  total events in store: ${total}`);
    console.log(JSON.stringify(figures));
    return 0;
  } finally {
    await raw.end();
    await store.close();
    await db.close();
  }
}
