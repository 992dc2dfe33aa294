import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeErrorCommand } from "../../commands/errors/executeErrorCommand.ts";
import { openPostgresEventStore } from "../../infra/eventstore/postgres/postgresEventStore.ts";
import { rebuildProjection } from "../../infra/processors/rebuildProjection.ts";
import { startProjector } from "../../infra/processors/runProjector.ts";
import { snapshotTable } from "../../test/support/readModelSnapshot.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/testDatabase.ts";
import { errorsProjector } from "./errorsProjector.ts";

let database: TestDatabase;
let pool: pg.Pool;
beforeAll(async () => {
  database = await createTestDatabase("errors");
  pool = new pg.Pool({ connectionString: database.url, max: 6 });
});
afterAll(async () => {
  await pool.end();
  await database.drop();
});

const context = (userId: string, role: "viewer" | "operator" | "system") => ({
  correlationId: randomUUID(),
  causationId: randomUUID(),
  actor: { userId, role },
});

describe("errors projector", () => {
  it("projects reported and resolved errors with times and actors from the events, and a rebuild equals the live table", async () => {
    const store = await openPostgresEventStore({ url: database.url, schema: "ev", pollMs: 50 });
    const schema = "rm";
    const runner = startProjector({ store, pool, schema, projector: errorsProjector, batchSize: 5 });
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
      const sources = ["frontend", "kernel", "worker", "plugin:storage-s3"] as const;
      const severities = ["warning", "error", "critical", "fatal"] as const;
      const ids: string[] = [];
      for (let i = 0; i < 23; i++) {
        const errorId = randomUUID();
        const result = await executeErrorCommand(
          deps,
          {
            type: "ReportError",
            data: {
              errorId,
              sourceComponent: sources[i % 4]!,
              severity: severities[i % 3]!,
              message: `failure ${i}`,
              ...(i % 2 === 0 ? { stackTrace: `Error: failure ${i}\n    at step (app.js:${i}:1)` } : {}),
              contextData: { url: `/en/jobs/${i}`, attempt: i, nested: { ok: i % 2 === 0 } },
            },
          },
          context(`u-${i % 3}`, "viewer"),
        );
        expect(result._tag).toBe("Executed");
        ids.push(errorId);
        // job events in between are not the errors projector's business
        await store.append(
          `job-${randomUUID()}`,
          [{ id: randomUUID(), type: "JobDeleted", data: {}, metadata: {} }],
          { expected: "any" },
        );
      }
      const resolved = ids.filter((_, i) => i % 4 === 1);
      for (const errorId of resolved) {
        const result = await executeErrorCommand(
          deps,
          { type: "ResolveError", data: { errorId } },
          context("u-ops", "operator"),
        );
        expect(result._tag).toBe("Executed");
      }
      const head = await store.headPosition();
      expect(await runner.waitForPosition(head, 20_000)).toBe(true);

      const live = (await snapshotTable(pool, schema, "error_events", "id")) as Record<string, unknown>[];
      expect(live).toHaveLength(23);
      const byId = new Map(live.map((row) => [row.id as string, row]));
      expect(byId.get(ids[0]!)).toMatchObject({
        source_component: "frontend",
        severity: "warning",
        message: "failure 0",
        stack_trace: "Error: failure 0\n    at step (app.js:0:1)",
        context_data: { url: "/en/jobs/0", attempt: 0, nested: { ok: true } },
        created_at: "2026-11-01T08:00:01+00:00",
        reported_by: "u-0",
        resolved: false,
        resolved_at: null,
        resolved_by: null,
      });
      expect(byId.get(ids[1]!)).toMatchObject({ stack_trace: null, resolved: true, resolved_by: "u-ops" });
      expect(byId.get(ids[3]!)).toMatchObject({ source_component: "plugin:storage-s3", severity: "warning" });
      expect(live.filter((row) => row.resolved).map((row) => row.id)).toEqual(
        expect.arrayContaining(resolved),
      );
      expect(live.filter((row) => row.resolved)).toHaveLength(resolved.length);

      const result = await rebuildProjection({ store, pool, schema, projector: errorsProjector });
      expect(result.events).toBe(23 + resolved.length);
      expect(await snapshotTable(pool, schema, "error_events", "id")).toEqual(live);
    } finally {
      await runner.stop();
      await store.close();
    }
  });

  it("parks an error event filed under another error's stream, and projects the next", async () => {
    const store = await openPostgresEventStore({ url: database.url, schema: "ev_bad", pollMs: 50 });
    const schema = "rm_bad";
    const bad = await store.append(
      `error-${randomUUID()}`,
      [
        {
          id: randomUUID(),
          type: "ErrorResolved",
          data: { errorId: randomUUID() },
          metadata: {
            ...context("u-root", "operator"),
            schemaVersion: 1,
            occurredAt: "2026-11-01T08:00:00.000Z",
          },
        },
      ],
      { expected: "no_stream" },
    );
    const next = await executeErrorCommand(
      { store, newId: randomUUID, now: () => new Date("2026-11-01T08:00:01.000Z") },
      {
        type: "ReportError",
        data: {
          errorId: randomUUID(),
          sourceComponent: "kernel",
          severity: "critical",
          message: "after the bad one",
          contextData: {},
        },
      },
      context("system", "system"),
    );
    expect(next._tag).toBe("Executed");
    const runner = startProjector({ store, pool, schema, projector: errorsProjector });
    try {
      expect(await runner.waitForPosition(await store.headPosition(), 10_000)).toBe(true);
      const parked = await pool.query<{ position: string; error: string }>(
        `select position, error from "${schema}".dead_letters`,
      );
      expect(parked.rows).toEqual([
        expect.objectContaining({ position: String(bad._tag === "Appended" ? bad.position : -1) }),
      ]);
      expect(parked.rows[0]!.error).toContain("in another stream");
      const { rows } = await pool.query(`select message, reported_by from "${schema}".error_events`);
      expect(rows).toEqual([{ message: "after the bad one", reported_by: "system" }]);
    } finally {
      await runner.stop();
      await store.close();
    }
  });
});
