// Blue/green rebuild: replay the log into hidden tables, index them, then swap them in with one short
// transaction that also moves the checkpoint. Readers never see a half-built table; the live runner
// notices the moved checkpoint and resubscribes from it. Events the live runner parked are skipped, so the
// rebuilt tables equal the live ones.
import type pg from "pg";
import type { EventStore, RecordedEvent } from "../../domain/ports/eventStore.ts";
import { type ProjectionContext, type Projector, transactionContext } from "../../projections/projector.ts";
import { migrate } from "../postgres/migrate.ts";
import { deadLetterMigrations, parkedEventIds } from "./deadLetters.ts";
import { lockCheckpoint, saveCheckpoint } from "./projectionCheckpoints.ts";
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

  await migrate(pool, schema, deadLetterMigrations(schema));
  let parked = await parkedEventIds(pool, schema, projector.name);
  const unparked = (page: RecordedEvent[]) =>
    parked.size === 0 ? page : page.filter((event) => !parked.has(event.id));

  const client = await pool.connect();
  let queue: QueuedContext | null = null;
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
        const applied = unparked(page);
        if (applied.length > 0) await projector.apply(applied, context);
        checkpoint = last.checkpoint;
        position = last.position;
        events += page.length;
        const seconds = (performance.now() - started) / 1000;
        options.onProgress?.({ events, position, head, eventsPerSecond: events / seconds });
        if (!more) return;
      }
    };
    // The hidden tables need no atomic load (a failed rebuild starts over from empty tables), so the
    // database may write a page, on two connections, while the next one is parsed and folded.
    queue = await queuedContext(pool, client, table);
    await client.query("begin");
    await replay(queue, true);
    await queue.finish();
    queue = null;
    await client.query("commit");
    for (const t of projector.tables)
      await client.query(t.createIndexes(table(t.name), `${t.name}${REBUILD_SUFFIX}`));

    // the swap: take the checkpoint row (the live runner waits), apply what arrived meanwhile, rename
    await client.query("begin");
    await lockCheckpoint(client, schema, projector.name, projector.version);
    // with the checkpoint row held, the live runner can park nothing more
    parked = await parkedEventIds(client, schema, projector.name);
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
    await queue?.abandon();
    await client.query("rollback").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
  return { events, position, seconds: (performance.now() - started) / 1000 };
}

interface QueuedContext extends ProjectionContext {
  /** Waits for every statement queued, then commits the side connection; throws the first failure. */
  finish(): Promise<void>;
  /** Waits for what is still running, then rolls the side connection back. */
  abandon(): Promise<void>;
}

interface Lane {
  run<R extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
  /** Queues a statement; waits only while more than a few are queued. */
  write(sql: string, params?: unknown[]): Promise<void>;
  /** Resolves once every statement queued has run; never rejects. */
  settled(): Promise<void>;
  /** Waits for every statement queued; throws the first failure. */
  drain(): Promise<void>;
}

/** Statements on one connection, one after another in the order issued; after a failure all fail. */
function lane(client: pg.PoolClient): Lane {
  let tail: Promise<unknown> = Promise.resolve();
  const writes: Promise<void>[] = [];
  let failure: unknown = null;
  const run = <R extends pg.QueryResultRow>(sql: string, params?: unknown[]) => {
    const result = tail.then(() => {
      if (failure) throw failure;
      return client.query<R>(sql, params);
    });
    tail = result.catch((error) => {
      failure ??= error;
    });
    return result;
  };
  return {
    run,
    async write(sql, params) {
      const settled = run(sql, params).then(
        () => {},
        () => {},
      );
      writes.push(settled);
      settled.then(() => writes.splice(writes.indexOf(settled), 1));
      while (writes.length > 4) await writes[0];
      if (failure) throw failure;
    },
    async settled() {
      await tail;
    },
    async drain() {
      await tail;
      if (failure) throw failure;
    },
  };
}

/**
 * The load of a rebuild: the projector's queries and writes queue on the rebuild's connection, its
 * append-only writes on a second one, so the database writes a page while the next is folded.
 */
async function queuedContext(
  pool: pg.Pool,
  client: pg.PoolClient,
  table: (name: string) => string,
): Promise<QueuedContext> {
  const side = await pool.connect();
  await side.query("begin");
  const main = lane(client);
  const appendOnly = lane(side);
  let released = false;
  const end = async (sql: "commit" | "rollback") => {
    try {
      await side.query(sql);
    } finally {
      if (!released) side.release(sql === "rollback");
      released = true;
    }
  };
  const abandon = async () => {
    await main.settled();
    await appendOnly.settled();
    await end("rollback").catch(() => {});
  };
  return {
    table,
    memo: new Map(),
    query: (sql, params) => main.run(sql, params),
    write: (sql, params) => main.write(sql, params),
    appendOnly: (sql, params) => appendOnly.write(sql, params),
    async finish() {
      try {
        await main.drain();
        await appendOnly.drain();
      } catch (error) {
        await abandon();
        throw error;
      }
      await end("commit");
    },
    abandon,
  };
}
