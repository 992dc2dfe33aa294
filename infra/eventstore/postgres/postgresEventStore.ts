// The PostgreSQL event store: one adapter for a Postgres server and for the embedded default.
import pg from "pg";
import type { EventStore } from "../../../domain/ports/eventStore.ts";
import { migrate } from "../../postgres/migrate.ts";
import { openPool } from "../../postgres/pool.ts";
import { createAppendAnnouncer } from "./appendAnnouncer.ts";
import { createAppendWriter } from "./appendToStream.ts";
import { appendChannel, eventStoreMigrations, quoteIdent } from "./eventStoreSchema.ts";
import { createLiveTail } from "./liveTail.ts";
import { readAllPage } from "./readAll.ts";
import { readStream } from "./readStream.ts";
import { positionOfCheckpoint } from "./recordedEventRow.ts";
import { deleteStream, getStreamMetadata, setStreamMetadata, tombstoneStream } from "./streamMetadata.ts";
import { createAppendSignal, subscribeToAll } from "./subscribeToAll.ts";

export interface PostgresEventStoreOptions {
  url: string;
  /** Schema holding the store's tables (default `webencode_events`). */
  schema?: string;
  poolSize?: number;
  /** Poll interval of live subscriptions when no notification arrives. */
  pollMs?: number;
  onError?: (error: Error) => void;
}

export interface PostgresEventStore extends EventStore {
  readonly schema: string;
  readonly pool: pg.Pool;
}

export async function openPostgresEventStore(
  options: PostgresEventStoreOptions,
): Promise<PostgresEventStore> {
  const schema = options.schema ?? "webencode_events";
  quoteIdent(schema);
  const onError = options.onError ?? (() => {});
  const pool = openPool(options.url, options.poolSize ?? 10, onError);
  await migrate(pool, schema, eventStoreMigrations(schema));

  let closed = false;
  const appendSignal = createAppendSignal();
  const announcer = createAppendAnnouncer(
    () => pool.query("select pg_notify($1, '')", [appendChannel(schema)]),
    onError,
  );
  const writer = createAppendWriter(pool, schema, () => {
    appendSignal.notify();
    announcer.announce();
  });

  // what is new in the log, read once for every caught-up subscription of this process
  const tail = createLiveTail(pool, schema, appendSignal, { pollMs: options.pollMs ?? 500, onError });

  // LISTEN on a connection of its own, opened with the first subscription; polling covers its gaps.
  let listener: pg.Client | null = null;
  async function listen() {
    if (listener || closed) return;
    const client = new pg.Client({ connectionString: options.url });
    listener = client;
    client.on("notification", () => appendSignal.notify());
    client.on("error", (error) => {
      onError(error);
      listener = null;
      client.end().catch(() => {});
      if (!closed) setTimeout(() => void listen().catch(onError), 1000).unref();
    });
    await client.connect();
    await client.query(`listen "${appendChannel(schema)}"`);
  }

  return {
    schema,
    pool,
    append: (streamId, events, { expected }) => writer.append(streamId, events, expected),
    readStream: (streamId, readOptions) => readStream(pool, schema, streamId, readOptions),
    async readAll(readOptions = {}) {
      const from =
        readOptions.from === undefined || readOptions.from === "start"
          ? 0
          : positionOfCheckpoint(readOptions.from);
      const page = await readAllPage(pool, schema, from, readOptions.maxCount ?? 1000, readOptions.filter);
      return page.events;
    },
    subscribeToAll(subscribeOptions) {
      listen().catch(onError);
      return subscribeToAll(pool, schema, appendSignal, {
        pollMs: options.pollMs,
        tail,
        ...subscribeOptions,
      });
    },
    getStreamMetadata: (streamId) => getStreamMetadata(pool, schema, streamId),
    setStreamMetadata: (streamId, metadata) => setStreamMetadata(pool, schema, streamId, metadata),
    deleteStream: (streamId, deleteOptions) =>
      deleteStream(pool, schema, streamId, deleteOptions?.expected ?? "any"),
    tombstoneStream: (streamId) => tombstoneStream(pool, schema, streamId),
    async headPosition() {
      const { rows } = await pool.query<{ head: string }>(`select head from "${schema}".es_head`);
      return Number(rows[0]!.head);
    },
    async close() {
      await writer.close();
      closed = true;
      tail.close();
      await announcer.close();
      await listener?.end().catch(() => {});
      await pool.end();
    },
  };
}
