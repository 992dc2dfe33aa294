// A job's events as the timeline reads them, from a real Postgres event store.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  openPostgresEventStore,
  type PostgresEventStore,
} from "../../infra/eventstore/postgres/postgresEventStore.ts";
import type { Actor } from "../../infra/http/httpEnv.ts";
import { generateJobHistories, type JobHistory } from "../../test/support/jobHistories.ts";
import { testApp } from "../../test/support/testApp.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/testDatabase.ts";
import { jobEventRoutes } from "./jobEventRoutes.ts";

let database: TestDatabase;
let store: PostgresEventStore;
let histories: JobHistory[];
const viewer: Actor = { userId: "u-view", role: "viewer" };
const app = testApp((app) => {
  app.use("*", async (c, next) => {
    c.set("actor", viewer);
    await next();
  });
  app.route("/", jobEventRoutes({ readStream: (...args) => store.readStream(...args) }));
});

beforeAll(async () => {
  database = await createTestDatabase("jobevents");
  store = await openPostgresEventStore({ url: database.url, schema: "ev", pollMs: 20 });
  histories = generateJobHistories(3, 11);
  for (const history of histories) {
    const appended = await store.append(history.streamId, history.events, { expected: "no_stream" });
    expect(appended._tag).toBe("Appended");
  }
});
afterAll(async () => {
  await store?.close();
  await database?.drop();
});

describe("GET /v1/jobs/{id}/events", () => {
  it("answers the job's own events, oldest first, with snake_case data and their positions", async () => {
    const history = histories[1]!;
    const response = await app.request(`/v1/jobs/${history.jobId}/events`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      job_id: string;
      events: Array<{ type: string; revision: number; position: number; data: Record<string, unknown> }>;
    };
    expect(body.job_id).toBe(history.jobId);
    expect(body.events.map((e) => e.type)).toEqual(history.events.map((e) => e.type));
    expect(body.events.map((e) => e.revision)).toEqual(history.events.map((_, i) => i));
    const positions = body.events.map((e) => e.position);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    const submitted = body.events[0]!;
    expect(submitted.type).toBe("JobSubmitted");
    expect(submitted.data).toMatchObject({ job_id: history.jobId });
    expect(submitted.data).not.toHaveProperty("jobId");
  });

  it("answers WE-JOB-004 for a job that does not exist, and for an id that is no UUID", async () => {
    for (const id of ["5e0b7b5c-1111-4111-8111-111111111111", "not-a-job"]) {
      const response = await app.request(`/v1/jobs/${id}/events`);
      expect(response.status).toBe(404);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("WE-JOB-004");
    }
  });
});
