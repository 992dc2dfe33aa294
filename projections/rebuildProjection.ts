// Blue/green rebuild: replay the log into hidden tables, index them, then swap them in with one short
// transaction that also moves the checkpoint. Readers never see a half-built table; the live runner
// notices the moved checkpoint and resubscribes from it.
import type pg from "pg";
import type { EventStore } from "../domain/ports/eventStore.ts";
import { lockCheckpoint, saveCheckpoint } from "./projectionCheckpoints.ts";
import type { Projector } from "./projector.ts";
import { liveTable, REBUILD_SUFFIX, rebuildTable } from "./readModelTables.ts";

export interface RebuildProgress {
  events: number;
  position: number;
  head: number;
  eventsPerSecond: number;
}

export interface RebuildOptions {
  store: EventStore;
  pool: pg.Pool;
  schema: string;
  projector: Projector;
  pageSize?: number;
  onProgress?: (progress: RebuildProgress) => void;
}

export interface RebuildResult {
  events: number;
  position: number;
  seconds: number;
}

export async function rebuildProjection(options: RebuildOptions): Promise<RebuildResult> {
  const { store, pool, schema, projector } = options;
  const pageSize = options.pageSize ?? 5000;
  const started = performance.now();
  const table = (name: string) => rebuildTable(schema, name);
  let events = 0;
  let position = 0;
  let checkpoint: string | null = null;

  const client = await pool.connect();
  try {
    await client.query("begin");
    for (const t of projector.tables) {
      await client.query(`drop table if exists ${table(t.name)}`);
      await client.query(t.createTable(table(t.name)));
    }
    await client.query("commit");

    // replay everything up to the head, one transaction per page
    const head = await store.headPosition();
    const replay = async (stopAtHead: boolean) => {
      while (true) {
        const page = await store.readAll({
          from: checkpoint ?? "start",
          maxCount: pageSize,
          filter: projector.filter,
        });
        if (page.length === 0) return;
        await projector.apply(page, { client, table });
        const last = page.at(-1)!;
        checkpoint = last.checkpoint;
        position = last.position;
        events += page.length;
        const seconds = (performance.now() - started) / 1000;
        options.onProgress?.({ events, position, head, eventsPerSecond: events / seconds });
        if (page.length < pageSize || (stopAtHead && position >= head)) return;
      }
    };
    await client.query("begin");
    await replay(true);
    await client.query("commit");
    for (const t of projector.tables)
      await client.query(t.createIndexes(table(t.name), `${t.name}${REBUILD_SUFFIX}`));

    // the swap: take the checkpoint row (the live runner waits), apply what arrived meanwhile, rename
    await client.query("begin");
    await lockCheckpoint(client, schema, projector.name, projector.version);
    await replay(false);
    for (const t of projector.tables) {
      await client.query(`drop table if exists ${liveTable(schema, t.name)}`);
      await client.query(`alter table ${table(t.name)} rename to "${t.name}"`);
      const { rows } = await client.query<{ indexname: string }>(
        "select indexname from pg_indexes where schemaname = $1 and tablename = $2",
        [schema, t.name],
      );
      for (const { indexname } of rows) {
        const renamed = indexname.replace(`${t.name}${REBUILD_SUFFIX}`, t.name);
        if (renamed !== indexname)
          await client.query(`alter index "${schema}"."${indexname}" rename to "${renamed}"`);
      }
    }
    await saveCheckpoint(client, schema, projector.name, {
      checkpoint,
      position,
      version: projector.version,
    });
    await client.query("commit");
  } catch (error) {
    await client.query("rollback").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
  return { events, position, seconds: (performance.now() - started) / 1000 };
}
