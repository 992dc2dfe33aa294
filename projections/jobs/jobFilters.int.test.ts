// GET /v1/jobs's filters and sorts against the read model of generated histories: source type, a created
// date range (from inclusive, to exclusive), and sorts by creation, status (in a job's life order) and
// progress, each paging without overlap.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  openPostgresEventStore,
  type PostgresEventStore,
} from "../../infra/eventstore/postgres/postgresEventStore.ts";
import { type ProjectorRunner, startProjector } from "../../infra/processors/runProjector.ts";
import { type ListJobsQuery, listJobsQuerySchema } from "../../schemas/api/jobRequests.ts";
import { generateJobHistories, type JobHistory } from "../../test/support/jobHistories.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/testDatabase.ts";
import { createJobQueries, type JobQueries, type JobView } from "./jobQueries.ts";
import { jobsProjector } from "./jobsProjector.ts";

let database: TestDatabase;
let store: PostgresEventStore;
let pool: pg.Pool;
let runner: ProjectorRunner;
let queries: JobQueries;
let histories: JobHistory[];
let all: JobView[];
const START = Date.parse("2026-11-01T08:00:00Z");

beforeAll(async () => {
  database = await createTestDatabase("jobfilters");
  pool = new pg.Pool({ connectionString: database.url, max: 4 });
  store = await openPostgresEventStore({ url: database.url, schema: "ev", pollMs: 20 });
  runner = startProjector({ store, pool, schema: "rm", projector: jobsProjector });
  histories = generateJobHistories(40, 11, START);
  for (const [i, history] of histories.entries()) {
    // every third job came from a URL rather than an upload
    if (i % 3 === 0) (history.events[0]!.data as { sourceType: string }).sourceType = "url";
    expect((await store.append(history.streamId, history.events, { expected: "no_stream" }))._tag).toBe(
      "Appended",
    );
  }
  expect(await runner.waitForPosition(await store.headPosition(), 30_000)).toBe(true);
  queries = createJobQueries(pool, "rm", () => []);
  all = (await list({ limit: 100 })).jobs;
});
afterAll(async () => {
  await runner?.stop();
  await store?.close();
  await pool?.end();
  await database?.drop();
});

const list = (query: Partial<Record<keyof ListJobsQuery, unknown>>) =>
  queries.list(listJobsQuerySchema.parse(query));

/** Every page of a query, `limit` at a time, joined. */
async function paged(query: Record<string, unknown>, limit: number) {
  const ids: string[] = [];
  for (let offset = 0; ; offset += limit) {
    const { jobs, total } = await list({ ...query, limit, offset });
    ids.push(...jobs.map((j) => j.id));
    if (offset + limit >= total) return ids;
  }
}

const LIFE = ["queued", "processing", "stitching", "uploading", "completed", "failed", "cancelled"];

describe("job filters and sorts", () => {
  it("has jobs of both source types and several statuses to filter and sort", () => {
    expect(all.length).toBeGreaterThan(30);
    expect(new Set(all.map((j) => j.source_type))).toEqual(new Set(["url", "upload"]));
    expect(new Set(all.map((j) => j.status)).size).toBeGreaterThanOrEqual(3);
  });

  it("filters by source type", async () => {
    const urls = await list({ source_type: "url", limit: 100 });
    expect(urls.total).toBe(all.filter((j) => j.source_type === "url").length);
    expect(urls.jobs.every((j) => j.source_type === "url")).toBe(true);
    const uploads = await list({ source_type: "upload", limit: 100 });
    expect(uploads.total + urls.total).toBe(all.length);
  });

  it("filters by a created date range, from inclusive and to exclusive", async () => {
    const byAge = [...all].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at));
    const from = byAge[5]!.created_at;
    const to = byAge[15]!.created_at;
    const { jobs, total } = await list({ from, to, limit: 100 });
    expect(total).toBe(10);
    expect(jobs.map((j) => j.id).sort()).toEqual(
      byAge
        .slice(5, 15)
        .map((j) => j.id)
        .sort(),
    );
    // with the status filter too, and an offset written in another zone
    const shifted = new Date(Date.parse(from)).toISOString().replace("Z", "+00:00");
    const completed = await list({ from: shifted, to, status: "completed", limit: 100 });
    expect(completed.jobs.map((j) => j.id).sort()).toEqual(
      byAge
        .slice(5, 15)
        .filter((j) => j.status === "completed")
        .map((j) => j.id)
        .sort(),
    );
    expect((await list({ from: to, to: from })).total).toBe(0);
    expect(listJobsQuerySchema.safeParse({ from: "yesterday" }).success).toBe(false);
  });

  it("sorts by creation either way, paging without overlap", async () => {
    const newest = await paged({ sort: "-created_at" }, 7);
    const oldest = await paged({ sort: "created_at" }, 7);
    expect(newest).toHaveLength(all.length);
    expect(new Set(newest).size).toBe(all.length);
    expect(oldest).toEqual([...newest].reverse());
    const times = (await list({ sort: "-created_at", limit: 100 })).jobs.map((j) => Date.parse(j.created_at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it("sorts by status in a job's life order and by progress, ties newest first, paging without overlap", async () => {
    const byStatus = (await list({ sort: "status", limit: 100 })).jobs;
    const ranks = byStatus.map((j) => LIFE.indexOf(j.status));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    for (let i = 1; i < byStatus.length; i++) {
      if (byStatus[i]!.status === byStatus[i - 1]!.status) {
        expect(Date.parse(byStatus[i]!.created_at)).toBeLessThanOrEqual(
          Date.parse(byStatus[i - 1]!.created_at),
        );
      }
    }
    const reversed = (await list({ sort: "-status", limit: 100 })).jobs.map((j) => LIFE.indexOf(j.status));
    expect(reversed).toEqual([...reversed].sort((a, b) => b - a));
    expect(await paged({ sort: "status" }, 6)).toEqual(byStatus.map((j) => j.id));

    const byProgress = (await list({ sort: "-progress", limit: 100 })).jobs.map((j) => j.progress_pct);
    expect(byProgress).toEqual([...byProgress].sort((a, b) => b - a));
    expect(new Set(byProgress).size).toBeGreaterThan(1);
    const ascending = await paged({ sort: "progress" }, 9);
    expect(new Set(ascending).size).toBe(all.length);
  });
});
