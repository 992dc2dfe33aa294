// Opens the event store and the read-model database a process is configured for: a Postgres server
// (EVENT_STORE_URL / DATABASE_URL), KurrentDB for events (EVENT_STORE_URL=kurrentdb://…), or the
// embedded cluster under the data directory. A second process
// on the same data directory (the CLI next to a running platform) joins the running cluster.
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import pg from "pg";
import type { EventStore } from "../../domain/ports/eventStore.ts";
import { openKurrentEventStore } from "../eventstore/kurrentdb/kurrentEventStore.ts";
import { openPostgresEventStore } from "../eventstore/postgres/postgresEventStore.ts";
import { databaseUserIds, startEmbeddedPostgres } from "../postgres/embeddedPostgres.ts";
import { openPool } from "../postgres/pool.ts";
import { clusterLocation } from "./clusterLocation.ts";
import { persistentSecret } from "./persistentSecret.ts";

export interface DatabaseConfig {
  /** postgres://… (default: DATABASE_URL, else the embedded cluster) */
  eventStoreUrl?: string;
  databaseUrl?: string;
  dataDir: string;
  /** Where an embedded cluster lives when the database's user cannot reach the data directory. */
  clusterHome?: string;
  eventStoreSchema?: string;
  readModelSchema?: string;
  log?: (message: string) => void;
}

export interface PlatformDatabase {
  store: EventStore;
  pool: pg.Pool;
  readModelSchema: string;
  close(): Promise<void>;
}

const KURRENT_URL = /^(kurrentdb|kurrent|esdb|kdb)(\+discover)?:\/\//;
const POSTGRES_URL = /^postgres(ql)?:\/\//;

interface RunFile {
  url: string;
  ownerPid: number;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function embeddedUrl(
  dataDir: string,
  clusterHome: string | undefined,
  log: (m: string) => void,
): Promise<{ url: string; stop(): Promise<void> }> {
  const root = resolve(dataDir);
  const runFile = join(root, "run", "postgres.json");
  if (existsSync(runFile)) {
    const run = JSON.parse(await readFile(runFile, "utf8")) as RunFile;
    if (run.ownerPid !== process.pid && processAlive(run.ownerPid) && (await canConnect(run.url))) {
      return { url: run.url, stop: async () => {} }; // the platform running on this directory owns it
    }
  }
  await mkdir(join(root, "run"), { recursive: true, mode: 0o700 });
  const runAs = databaseUserIds();
  const cluster = await clusterLocation(root, { runAs, clusterHome, onNotice: log });
  // no other local user may read the data directory; only the database's own user passes through it
  // to a cluster kept inside
  await chmod(root, runAs && cluster.inDataDir ? 0o711 : 0o700);
  const password = await persistentSecret(root, "postgres-password", { bytes: 18, onNotice: log });
  const server = await startEmbeddedPostgres({ dataDir: cluster.dir, password, onNotice: log });
  log(`embedded PostgreSQL ready on 127.0.0.1:${server.port} (data in ${cluster.dir})`);
  await writeFile(runFile, JSON.stringify({ url: server.url, ownerPid: process.pid } satisfies RunFile), {
    mode: 0o600,
  });
  return {
    url: server.url,
    async stop() {
      await rm(runFile, { force: true });
      await server.stop();
    },
  };
}

/** Connections of a process to the read models: the processors' leader locks and room for queries. */
export const READ_MODEL_POOL_SIZE = 40;

export async function openDatabase(config: DatabaseConfig): Promise<PlatformDatabase> {
  const log = config.log ?? (() => {});
  const kurrent = config.eventStoreUrl !== undefined && KURRENT_URL.test(config.eventStoreUrl);
  const postgresEventStoreUrl = kurrent ? undefined : config.eventStoreUrl;
  const external = config.databaseUrl ?? postgresEventStoreUrl;
  const embedded = external ? null : await embeddedUrl(config.dataDir, config.clusterHome, log);
  const databaseUrl = external ?? embedded!.url;
  const eventStoreUrl = config.eventStoreUrl ?? databaseUrl;
  if (!kurrent && !POSTGRES_URL.test(eventStoreUrl)) {
    throw new Error(
      `EVENT_STORE_URL must be postgres://… or kurrentdb://… (got ${eventStoreUrl.split(":")[0]}:)`,
    );
  }
  const store: EventStore = kurrent
    ? openKurrentEventStore(eventStoreUrl)
    : await openPostgresEventStore({
        url: eventStoreUrl,
        schema: config.eventStoreSchema ?? "webencode_events",
        onError: (e) => log(`event store: ${e.message}`),
      });
  // Every single-active projector and reactor holds one connection for its advisory lock while it leads
  // (a dozen today, more with each capability); the rest serve queries and writes. With 10 in all, the
  // leaders took every connection and the kernel's reads waited for ever.
  const pool = openPool(databaseUrl, READ_MODEL_POOL_SIZE, (e) => log(`read models: ${e.message}`));
  return {
    store,
    pool,
    readModelSchema: config.readModelSchema ?? "webencode",
    async close() {
      await store.close();
      await pool.end();
      await embedded?.stop();
    },
  };
}
