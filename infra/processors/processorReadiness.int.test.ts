// /ready through the health routes, over a real reactor and projector on a real database.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jobsProjector } from "../../projections/jobs/jobsProjector.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/testDatabase.ts";
import {
  openPostgresEventStore,
  type PostgresEventStore,
} from "../eventstore/postgres/postgresEventStore.ts";
import { healthRoutes } from "../http/healthRoutes.ts";
import { processorReadiness } from "./processorReadiness.ts";
import { startProjector } from "./runProjector.ts";
import { runReactor } from "./runReactor.ts";

let database: TestDatabase;
let store: PostgresEventStore;
let pool: pg.Pool;

beforeAll(async () => {
  database = await createTestDatabase("readiness");
  store = await openPostgresEventStore({ url: database.url, schema: "ev", pollMs: 50 });
  pool = new pg.Pool({ connectionString: database.url, max: 8 });
});
afterAll(async () => {
  await pool.end();
  await store.close();
  await database.drop();
});

const waitFor = async (what: string, check: () => boolean) => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
};

describe("/ready", () => {
  it("reports each reactor and projector with its lag and parked events, and fails while one is stuck", async () => {
    let queueUp = false;
    const reactor = runReactor({
      name: "dispatching",
      store,
      pool,
      schema: "rm",
      filter: { streamPrefixes: ["task-"] },
      retry: { maxAttempts: 2, firstDelayMs: 10, maxDelayMs: 20 },
      // its queue is down: the failures are not the event's, so it neither parks it nor moves on
      dependenciesHealthy: async () => queueUp,
      handle: async () => {
        if (!queueUp) throw new Error("the work queue does not answer");
      },
    });
    const projector = startProjector({ store, pool, schema: "rm", projector: jobsProjector });
    const app = healthRoutes(
      {
        processors: processorReadiness({
          processors: [
            { kind: "reactor", name: reactor.name, status: reactor.status },
            { kind: "projector", name: projector.name, status: projector.status },
          ],
          store,
          pool,
          schema: "rm",
          stuckAfterMs: 300,
        }),
      },
      "test",
    );
    const ready = async () => {
      const response = await app.request("/ready");
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    try {
      await store.append(
        `task-${randomUUID()}`,
        [{ id: randomUUID(), type: "TaskScheduled", data: {}, metadata: {} }],
        { expected: "no_stream" },
      );
      await waitFor("the reactor to retry", () => reactor.status().state === "retrying");
      await new Promise((r) => setTimeout(r, 400));
      const stuck = await ready();
      expect(stuck.status).toBe(503);
      expect(stuck.body).toMatchObject({
        status: "not_ready",
        checks: {
          processors: {
            ok: false,
            detail: {
              reason: expect.stringMatching(
                /^reactor dispatching has been retrying for \d+ s: the work queue does not answer$/,
              ),
              processors: [
                { kind: "reactor", name: "dispatching", state: "retrying", lag: 1, stuck: true, parked: 0 },
                { kind: "projector", name: "jobs", stuck: false, parked: 0 },
              ],
            },
          },
        },
      });

      queueUp = true;
      await waitFor("the reactor to move on", () => reactor.status().state === "running");
      await waitFor("the reactor to pass the head", () => reactor.status().position >= 1);
      const recovered = await ready();
      expect(recovered.status).toBe(200);
      expect(recovered.body).toMatchObject({
        status: "ready",
        checks: { processors: { ok: true, detail: { processors: [{ lag: 0, stuck: false }, {}] } } },
      });
    } finally {
      await reactor.stop();
      await projector.stop();
    }
  });
});
