import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRestreamCommand } from "../../commands/restreams/executeRestreamCommand.ts";
import { openPostgresEventStore } from "../../infra/eventstore/postgres/postgresEventStore.ts";
import { destinationUrlSealer } from "../../infra/platform/destinationUrlSealer.ts";
import { rebuildProjection } from "../../infra/processors/rebuildProjection.ts";
import { startProjector } from "../../infra/processors/runProjector.ts";
import type { RestreamDefinition } from "../../schemas/events/restreamEvents.ts";
import { snapshotTable } from "../../test/support/readModelSnapshot.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/testDatabase.ts";
import { restreamsProjector } from "./restreamsProjector.ts";

let database: TestDatabase;
let pool: pg.Pool;
beforeAll(async () => {
  database = await createTestDatabase("restreams");
  pool = new pg.Pool({ connectionString: database.url, max: 6 });
});
afterAll(async () => {
  await pool.end();
  await database.drop();
});

const context = () => ({
  correlationId: randomUUID(),
  causationId: randomUUID(),
  actor: { userId: "u-operator", role: "operator" as const },
});

describe("restreams projector", () => {
  it("projects restreams, runs and destination states with masked URLs only, and a rebuild equals the live table", async () => {
    const store = await openPostgresEventStore({ url: database.url, schema: "ev", pollMs: 50 });
    const schema = "rm";
    const runner = startProjector({ store, pool, schema, projector: restreamsProjector, batchSize: 3 });
    try {
      let clock = Date.parse("2026-12-01T08:00:00.000Z");
      const now = () => {
        clock += 1000;
        return new Date(clock);
      };
      const deps = { store, newId: randomUUID, now };
      const sealer = destinationUrlSealer("a platform secret for this test");
      const run = async (command: Parameters<typeof executeRestreamCommand>[1]) => {
        const result = await executeRestreamCommand(deps, command, context());
        expect(result._tag).toBe("Executed");
      };
      const destinationId = randomUUID();
      const definition: RestreamDefinition = {
        title: "Show",
        description: "",
        input: { type: "file", url: "fs://loop.mp4" },
        destinations: [
          {
            destinationId,
            platform: "youtube",
            url: sealer.seal("rtmp://a.rtmp.youtube.com/live2/secret-stream-key-abcd"),
            enabled: true,
          },
        ],
        schedule: { type: "immediate" },
        loop: true,
        simulateLive: true,
      };
      const [kept, failed, gone] = [randomUUID(), randomUUID(), randomUUID()];
      const runId = randomUUID();
      await run({ type: "CreateRestream", data: { restreamId: kept, definition, startRunId: runId } });
      const report = (state: "connecting" | "live" | "errored", errorCount: number) =>
        run({
          type: "ReportDestinationState",
          data: { restreamId: kept, runId, destinationId, state, errorCount, lastError: "refused" },
        });
      await report("connecting", 0);
      await report("live", 0);
      await report("errored", 1);
      await run({
        type: "CreateRestream",
        data: { restreamId: failed, definition: { ...definition, title: "F" } },
      });
      const failedRun = randomUUID();
      await run({ type: "StartRestream", data: { restreamId: failed, runId: failedRun, trigger: "manual" } });
      await run({
        type: "StopRestream",
        data: { restreamId: failed, runId: failedRun, reason: "failed", error: "no input" },
      });
      await run({ type: "CreateRestream", data: { restreamId: gone, definition } });
      await run({ type: "DeleteRestream", data: { restreamId: gone } });
      expect(await runner.waitForPosition(await store.headPosition(), 20_000)).toBe(true);

      const live = (await snapshotTable(pool, schema, "restreams", "id")) as Record<string, unknown>[];
      const byId = new Map(live.map((row) => [row.id as string, row]));
      expect(live).toHaveLength(2);
      expect(byId.get(kept)).toMatchObject({
        status: "streaming",
        run_id: runId,
        destination_states: { [destinationId]: { state: "errored", error_count: 1, last_error: "refused" } },
        revision: 4,
      });
      expect(byId.get(failed)).toMatchObject({
        status: "error",
        stop_reason: "failed",
        last_error: "no input",
      });
      expect(JSON.stringify(live)).toContain("••••abcd");
      expect(JSON.stringify(live)).not.toContain("secret-stream-key");
      expect(JSON.stringify(live)).not.toContain(definition.destinations[0]!.url.sealed);

      const result = await rebuildProjection({ store, pool, schema, projector: restreamsProjector });
      expect(result.events).toBe(5 + 3 + 2);
      expect(await snapshotTable(pool, schema, "restreams", "id")).toEqual(live);
    } finally {
      await runner.stop();
      await store.close();
    }
  });
});
