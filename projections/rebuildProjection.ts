// Blue/green rebuild: replay the log into hidden tables, index them, then swap them in with one short
// transaction that also moves the checkpoint. Readers never see a half-built table; the live runner
// notices the moved checkpoint and resubscribes from it.
import type pg from "pg";
import type { EventStore } from "../domain/ports/eventStore.ts";
import { lockCheckpoint, saveCheckpoint } from "./projectionCheckpoints.ts";
import { type ProjectionContext, type Projector, transactionContext } from "./projector.ts";
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
  let side: SideWriter | null = null;
  try {
    await client.query("begin");
    for (const t of projector.tables) {
      await client.query(`drop table if exists ${table(t.name)}`);
      await client.query(t.createTable(table(t.name)));
    }
    await client.query("commit");

    // replay everything up to the head, reading the next page while the current one is applied
    const head = await store.headPosition();
    const read = (from: string | null) => {
      const page = store.readAll({ from: from ?? "start", maxCount: pageSize, filter: projector.filter });
      page.catch(() => {}); // awaited below, unless applying the page before it failed
      return page;
    };
    const replay = async (context: ProjectionContext, stopAtHead: boolean) => {
      let next = read(checkpoint);
      while (true) {
        const page = await next;
        if (page.length === 0) return;
        const last = page.at(-1)!;
        const more = page.length === pageSize && !(stopAtHead && last.position >= head);
        if (more) next = read(last.checkpoint);
        await projector.apply(page, context);
        checkpoint = last.checkpoint;
        position = last.position;
        events += page.length;
        const seconds = (performance.now() - started) / 1000;
        options.onProgress?.({ events, position, head, eventsPerSecond: events / seconds });
        if (!more) return;
      }
    };
    // The hidden tables need no atomic load: a failed rebuild is started over from empty tables. So
    // append-only inserts run on a second connection, overlapping the fold of the next page.
    side = await openSideWriter(pool);
    await client.query("begin");
    await replay({ client, table, appendOnly: side.run }, true);
    await side.finish();
    side = null;
    await client.query("commit");
    for (const t of projector.tables)
      await client.query(t.createIndexes(table(t.name), `${t.name}${REBUILD_SUFFIX}`));

    // the swap: take the checkpoint row (the live runner waits), apply what arrived meanwhile, rename
    await client.query("begin");
    await lockCheckpoint(client, schema, projector.name, projector.version);
    await replay(transactionContext(client, table), false);
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
    await side?.abandon();
    await client.query("rollback").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
  return { events, position, seconds: (performance.now() - started) / 1000 };
}

interface SideWriter {
  /** Queues a statement; waits only while more than two are queued. Throws once one has failed. */
  run(sql: string, params: unknown[]): Promise<void>;
  /** Waits for everything queued and commits; throws the first failure. */
  finish(): Promise<void>;
  abandon(): Promise<void>;
}

async function openSideWriter(pool: pg.Pool): Promise<SideWriter> {
  const connection = await pool.connect();
  await connection.query("begin");
  const queued: Promise<void>[] = [];
  let failure: unknown = null;
  let released = false;
  const release = () => {
    if (!released) connection.release();
    released = true;
  };
  const check = () => {
    if (failure) throw failure;
  };
  return {
    async run(sql, params) {
      check();
      const previous = queued.at(-1) ?? Promise.resolve();
      const done: Promise<void> = previous
        .then(async () => {
          if (!failure) await connection.query(sql, params);
        })
        .catch((error) => {
          failure ??= error;
        })
        .finally(() => queued.splice(queued.indexOf(done), 1));
      queued.push(done);
      while (queued.length > 2) await queued[0];
      check();
    },
    async finish() {
      await queued.at(-1);
      check();
      await connection.query("commit");
      release();
    },
    async abandon() {
      await queued.at(-1);
      await connection.query("rollback").catch(() => {});
      release();
    },
  };
}
