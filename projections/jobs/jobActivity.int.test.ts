// GET /v1/stats/jobs: hourly job counts and encode throughput from the read models, checked against
// the same figures counted straight from the generated event histories.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  openPostgresEventStore,
  type PostgresEventStore,
} from "../../infra/eventstore/postgres/postgresEventStore.ts";
import { type ProjectorRunner, startProjector } from "../../infra/processors/runProjector.ts";
import { jobStatsQuerySchema, jobStatsResponseSchema } from "../../schemas/api/jobStatsResponses.ts";
import { generateJobHistories, type JobHistory } from "../../test/support/jobHistories.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/testDatabase.ts";
import { createJobQueries, type JobQueries } from "./jobQueries.ts";
import { jobsProjector } from "./jobsProjector.ts";

const START = Date.parse("2026-11-01T08:00:00Z");
const HOUR = 3_600_000;

let database: TestDatabase;
let store: PostgresEventStore;
let pool: pg.Pool;
let runner: ProjectorRunner;
let queries: JobQueries;
let histories: JobHistory[];

beforeAll(async () => {
  database = await createTestDatabase("jobactivity");
  pool = new pg.Pool({ connectionString: database.url, max: 4 });
  store = await openPostgresEventStore({ url: database.url, schema: "ev", pollMs: 20 });
  runner = startProjector({ store, pool, schema: "rm", projector: jobsProjector });
  // 7 s apart, 1,500 jobs span about three hours
  histories = generateJobHistories(1_500, 11, START);
  for (const history of histories) {
    expect((await store.append(history.streamId, history.events, { expected: "no_stream" }))._tag).toBe(
      "Appended",
    );
  }
  expect(await runner.waitForPosition(await store.headPosition(), 60_000)).toBe(true);
  queries = createJobQueries(pool, "rm", () => []);
}, 120_000);
afterAll(async () => {
  await runner?.stop();
  await store?.close();
  await pool?.end();
  await database?.drop();
});

/** The expected buckets, counted from the events themselves. */
function expectedBuckets(hours: number, until: number) {
  const last = Math.floor(until / HOUR) * HOUR;
  const first = last - (hours - 1) * HOUR;
  const buckets = new Map(
    Array.from({ length: hours }, (_, i) => [
      first + i * HOUR,
      { submitted: 0, completed: 0, failed: 0, media_seconds: 0, output_bytes: 0 },
    ]),
  );
  const bucket = (at: string) => buckets.get(Math.floor(Date.parse(at) / HOUR) * HOUR);
  for (const { events } of histories) {
    const deleted = events.some((e) => e.type === "JobDeleted");
    for (const event of events) {
      const b = bucket(event.metadata.occurredAt as string);
      if (!b) continue;
      const data = event.data as { durationSec?: number; sizeBytes?: number };
      if (event.type === "TaskCompleted") {
        b.media_seconds += data.durationSec!;
        b.output_bytes += data.sizeBytes!;
      }
      if (deleted) continue;
      if (event.type === "JobSubmitted") b.submitted++;
      if (event.type === "JobCompleted") b.completed++;
      if (event.type === "JobFailed") b.failed++;
    }
  }
  return [...buckets].map(([hour, figures]) => ({ hour, ...figures }));
}

describe("hourly job activity", () => {
  it("counts jobs and encoded video per hour, with empty hours as zeros", async () => {
    const until = START + 4.5 * HOUR;
    const stats = jobStatsResponseSchema.parse(await queries.activity(6, new Date(until)));
    const expected = expectedBuckets(6, until);
    expect(stats.hours.map((h) => Date.parse(h.hour))).toEqual(expected.map((e) => e.hour));
    expect(stats.hours.map(({ hour: _, media_seconds: __, ...counts }) => counts)).toEqual(
      expected.map(({ hour: _, media_seconds: __, ...counts }) => counts),
    );
    stats.hours.forEach((h, i) => {
      expect(h.media_seconds).toBeCloseTo(expected[i]!.media_seconds, 3);
    });
    // the window holds real work, and the hour before the first job is empty
    expect(stats.hours[0]!.submitted).toBe(0);
    expect(stats.hours[1]!.submitted).toBeGreaterThan(0);
    expect(stats.hours.reduce((sum, h) => sum + h.submitted, 0)).toBeGreaterThan(1_300);
    expect(stats.hours.reduce((sum, h) => sum + h.media_seconds, 0)).toBeGreaterThan(0);
  });

  it("answers a window with no jobs at all with zeros", async () => {
    const stats = await queries.activity(24, new Date(START - 48 * HOUR));
    expect(stats.hours).toHaveLength(24);
    expect(stats.hours.every((h) => h.submitted + h.completed + h.failed + h.output_bytes === 0)).toBe(true);
  });

  it("takes 1 to 168 hours, 24 unless told", () => {
    expect(jobStatsQuerySchema.parse({}).hours).toBe(24);
    expect(jobStatsQuerySchema.parse({ hours: "168" }).hours).toBe(168);
    expect(jobStatsQuerySchema.safeParse({ hours: "0" }).success).toBe(false);
    expect(jobStatsQuerySchema.safeParse({ hours: "169" }).success).toBe(false);
    expect(jobStatsQuerySchema.safeParse({ hours: "24", extra: "1" }).success).toBe(false);
  });
});
