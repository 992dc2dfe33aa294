// GET /v1/jobs?q=…: the jobs list searched by the start of a job id or a part of its source URL.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  openPostgresEventStore,
  type PostgresEventStore,
} from "../../infra/eventstore/postgres/postgresEventStore.ts";
import { type ProjectorRunner, startProjector } from "../../infra/processors/runProjector.ts";
import { listJobsQuerySchema } from "../../schemas/api/jobRequests.ts";
import { generateJobHistories, type JobHistory } from "../../test/support/jobHistories.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/testDatabase.ts";
import { createJobQueries, type JobQueries } from "./jobQueries.ts";
import { jobsProjector } from "./jobsProjector.ts";

let database: TestDatabase;
let store: PostgresEventStore;
let pool: pg.Pool;
let runner: ProjectorRunner;
let queries: JobQueries;
let histories: JobHistory[];

beforeAll(async () => {
  database = await createTestDatabase("jobsearch");
  pool = new pg.Pool({ connectionString: database.url, max: 4 });
  store = await openPostgresEventStore({ url: database.url, schema: "ev", pollMs: 20 });
  runner = startProjector({ store, pool, schema: "rm", projector: jobsProjector });
  histories = generateJobHistories(30, 5);
  for (const history of histories) {
    expect((await store.append(history.streamId, history.events, { expected: "no_stream" }))._tag).toBe(
      "Appended",
    );
  }
  expect(await runner.waitForPosition(await store.headPosition(), 30_000)).toBe(true);
  queries = createJobQueries(pool, "rm", () => []);
});
afterAll(async () => {
  await runner?.stop();
  await store?.close();
  await pool?.end();
  await database?.drop();
});

const search = (q: string) => queries.list(listJobsQuerySchema.parse({ q, limit: 100 }));

describe("job search", () => {
  it("finds a job by the start of its id, in any case", async () => {
    const target = histories[7]!;
    const { jobs, total } = await search(target.jobId.slice(0, 8).toUpperCase());
    expect(jobs.map((j) => j.id)).toContain(target.jobId);
    expect(jobs.every((j) => j.id.startsWith(target.jobId.slice(0, 8)))).toBe(true);
    expect(total).toBe(jobs.length);
  });

  it("finds jobs by a part of their source URL", async () => {
    const { jobs } = await search("clip-12.mp4");
    expect(jobs.map((j) => j.source_url)).toEqual(["fs://uploads/clip-12.mp4"]);
    const { total } = await search("uploads/clip-");
    const all = await queries.list(listJobsQuerySchema.parse({ limit: 100 }));
    expect(total).toBe(all.total);
  });

  it("takes % and _ literally, not as wildcards", async () => {
    expect((await search("%")).total).toBe(0);
    expect((await search("clip_1")).total).toBe(0);
  });

  it("refuses an empty or overlong search", () => {
    expect(listJobsQuerySchema.safeParse({ q: "   " }).success).toBe(false);
    expect(listJobsQuerySchema.safeParse({ q: "x".repeat(201) }).success).toBe(false);
  });
});
