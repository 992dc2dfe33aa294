import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeStreamCommand } from "../../commands/streams/executeStreamCommand.ts";
import { createStreamKeyVault } from "../../commands/streams/streamKeyVault.ts";
import type { StreamCommand } from "../../domain/stream/streamCommands.ts";
import { openPostgresEventStore } from "../../infra/eventstore/postgres/postgresEventStore.ts";
import { rebuildProjection } from "../../infra/processors/rebuildProjection.ts";
import { startProjector } from "../../infra/processors/runProjector.ts";
import { snapshotTable } from "../../test/support/readModelSnapshot.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/testDatabase.ts";
import { streamsProjector } from "./streamsProjector.ts";

let database: TestDatabase;
let pool: pg.Pool;
beforeAll(async () => {
  database = await createTestDatabase("streams");
  pool = new pg.Pool({ connectionString: database.url, max: 6 });
});
afterAll(async () => {
  await pool.end();
  await database.drop();
});

const context = () => {
  const id = randomUUID();
  return { correlationId: id, causationId: id, actor: { userId: "u-op", role: "operator" as const } };
};

describe("streams projector", () => {
  it("projects streams and their sessions with times from the events, and a rebuild equals the live tables", async () => {
    const store = await openPostgresEventStore({ url: database.url, schema: "ev", pollMs: 50 });
    const schema = "rm";
    const runner = startProjector({ store, pool, schema, projector: streamsProjector, batchSize: 3 });
    try {
      let clock = Date.parse("2026-11-01T08:00:00.000Z");
      const now = () => {
        clock += 1000;
        return new Date(clock);
      };
      const at = () => new Date(clock + 500).toISOString();
      const deps = { store, newId: randomUUID, now };
      const vault = createStreamKeyVault("a platform secret of enough length, 32+ chars");
      const run = async (command: StreamCommand) => {
        const result = await executeStreamCommand(deps, command, context());
        expect(result._tag).toBe("Executed");
      };
      const streams = Array.from({ length: 6 }, () => randomUUID());
      for (const [i, streamId] of streams.entries()) {
        const key = vault.store(vault.generate());
        await run({
          type: "CreateStream",
          data: { streamId, title: `Stream ${i}`, description: "", archiveEnabled: i % 2 === 0, ...key },
        });
        if (i === 1)
          await run({ type: "UpdateStream", data: { streamId, title: "Renamed", archiveEnabled: true } });
        if (i === 2)
          await run({ type: "RotateStreamKey", data: { streamId, ...vault.store(vault.generate()) } });
        if (i >= 3) {
          const sessionId = randomUUID();
          const start = {
            streamId,
            keyHash: key.keyHash,
            protocol: "rtmp" as const,
            remoteAddress: "10.0.0.1",
          };
          await run({
            type: "StartSession",
            data: { ...start, sessionId, at: at(), reconnectWindowSeconds: 30 },
          });
          await run({ type: "InterruptSession", data: { streamId, sessionId, reason: "drop", at: at() } });
          await run({
            type: "StartSession",
            data: { ...start, sessionId: randomUUID(), at: at(), reconnectWindowSeconds: 30 },
          });
          if (i >= 4) {
            const recording = {
              objectKey: `live/${streamId}/${sessionId}/recording.mp4`,
              durationSeconds: 4,
              bytes: 99,
              segments: 2,
            };
            await run({
              type: "EndSession",
              data: { streamId, sessionId, reason: "gone", at: at(), recording },
            });
            await run({ type: "RecordArchiveJob", data: { streamId, sessionId, jobId: randomUUID() } });
          }
          if (i === 5) await run({ type: "DeleteStream", data: { streamId } });
        }
      }
      const head = await store.headPosition();
      expect(await runner.waitForPosition(head, 20_000)).toBe(true);

      const live = (await snapshotTable(pool, schema, "streams", "id")) as Record<string, unknown>[];
      const sessions = (await snapshotTable(pool, schema, "stream_sessions", "id")) as Record<
        string,
        unknown
      >[];
      expect(live).toHaveLength(5);
      const byId = new Map(live.map((row) => [row.id as string, row]));
      expect(byId.get(streams[1]!)).toMatchObject({
        title: "Renamed",
        archive_enabled: true,
        status: "idle",
      });
      expect(byId.get(streams[3]!)).toMatchObject({ status: "live", session_count: 1 });
      expect(byId.get(streams[4]!)).toMatchObject({
        status: "idle",
        current_session_id: null,
        session_count: 1,
      });
      expect(sessions).toHaveLength(2);
      const ended = sessions.find((row) => row.stream_id === streams[4]);
      expect(ended).toMatchObject({
        status: "ended",
        interruptions: 1,
        recording_segments: 2,
        end_reason: "gone",
      });
      expect(ended?.archive_job_id).toEqual(expect.any(String));
      expect(Date.parse(String(ended?.ended_at))).toBeGreaterThan(Date.parse(String(ended?.started_at)));

      await rebuildProjection({ store, pool, schema, projector: streamsProjector });
      expect(await snapshotTable(pool, schema, "streams", "id")).toEqual(live);
      expect(await snapshotTable(pool, schema, "stream_sessions", "id")).toEqual(sessions);
    } finally {
      await runner.stop();
      await store.close();
    }
  });
});
