import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeProfileCommand } from "../../commands/profiles/executeProfileCommand.ts";
import { seedBuiltInProfiles } from "../../commands/profiles/seedBuiltInProfiles.ts";
import { builtInProfiles } from "../../domain/profile/builtInProfiles.ts";
import { openPostgresEventStore } from "../../infra/eventstore/postgres/postgresEventStore.ts";
import { rebuildProjection } from "../../infra/processors/rebuildProjection.ts";
import { startProjector } from "../../infra/processors/runProjector.ts";
import { snapshotTable } from "../../test/support/readModelSnapshot.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/testDatabase.ts";
import { profilesProjector } from "./profilesProjector.ts";

let database: TestDatabase;
let pool: pg.Pool;
beforeAll(async () => {
  database = await createTestDatabase("profiles");
  pool = new pg.Pool({ connectionString: database.url, max: 6 });
});
afterAll(async () => {
  await pool.end();
  await database.drop();
});

const context = () => ({
  correlationId: randomUUID(),
  causationId: randomUUID(),
  actor: { userId: "u-admin", role: "admin" as const },
});

describe("profiles projector", () => {
  it("projects created, edited, deleted and re-created profiles with times from the events, and a rebuild equals the live table", async () => {
    const store = await openPostgresEventStore({ url: database.url, schema: "ev", pollMs: 50 });
    const schema = "rm";
    const runner = startProjector({ store, pool, schema, projector: profilesProjector, batchSize: 4 });
    try {
      let clock = Date.parse("2026-11-01T08:00:00.000Z");
      const now = () => {
        clock += 1000;
        return new Date(clock);
      };
      const deps = { store, newId: randomUUID, now };
      await seedBuiltInProfiles(store, now);
      const base = builtInProfiles.hls_abr_3tier!;
      const run = async (command: Parameters<typeof executeProfileCommand>[1]) => {
        const result = await executeProfileCommand(deps, command, context());
        expect(result._tag).toBe("Executed");
      };
      for (let i = 0; i < 12; i++) {
        const profileId = `custom_${i}`;
        await run({ type: "CreateProfile", data: { profileId, spec: { ...base, name: `Custom ${i}` } } });
        if (i % 3 === 1) {
          const spec = { ...base, name: `Custom ${i} edited`, ladder: base.ladder.slice(0, 2) };
          await run({ type: "UpdateProfile", data: { profileId, spec } });
        }
        if (i % 4 === 2) await run({ type: "DeleteProfile", data: { profileId, jobsUsing: [] } });
        // job events in between are not the profiles projector's business
        await store.append(
          `job-${randomUUID()}`,
          [{ id: randomUUID(), type: "JobDeleted", data: {}, metadata: {} }],
          { expected: "any" },
        );
      }
      await run({ type: "DeleteProfile", data: { profileId: "480p_fast", jobsUsing: [] } });
      await run({ type: "CreateProfile", data: { profileId: "custom_2", spec: { ...base, name: "Back" } } });
      const head = await store.headPosition();
      expect(await runner.waitForPosition(head, 20_000)).toBe(true);

      const live = (await snapshotTable(pool, schema, "profiles", "id")) as Record<string, unknown>[];
      const byId = new Map(live.map((row) => [row.id as string, row]));
      // 7 built-ins less one, 12 customs less custom_6 and custom_10 (custom_2 came back)
      expect(live).toHaveLength(6 + 10);
      expect(byId.has("480p_fast")).toBe(false);
      expect(byId.has("custom_6")).toBe(false);
      expect(byId.get("hls_abr_3tier")).toMatchObject({
        name: "HLS/DASH ABR, 3 tiers",
        codec: "h264",
        bitrate_kbps: 5000,
        max_width: 1920,
        max_height: 1080,
        container: "mp4",
        tier_count: 3,
        built_in: true,
        revision: 0,
        spec: builtInProfiles.hls_abr_3tier,
      });
      expect(byId.get("custom_1")).toMatchObject({
        name: "Custom 1 edited",
        tier_count: 2,
        built_in: false,
        revision: 1,
      });
      const edited = byId.get("custom_1")!;
      expect(Date.parse(String(edited.updated_at))).toBeGreaterThan(Date.parse(String(edited.created_at)));
      expect(byId.get("custom_2")).toMatchObject({ name: "Back", revision: 2, built_in: false });

      const result = await rebuildProjection({ store, pool, schema, projector: profilesProjector });
      expect(result.events).toBe(7 + 12 + 4 + 3 + 2);
      expect(await snapshotTable(pool, schema, "profiles", "id")).toEqual(live);
    } finally {
      await runner.stop();
      await store.close();
    }
  });
});
