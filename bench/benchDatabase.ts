// A throwaway PostgreSQL for a benchmark run: WEBENCODE_BENCH_PG_URL, or embedded in a temp dir.
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { startEmbeddedPostgres } from "../infra/postgres/embeddedPostgres.ts";

export interface BenchDatabase {
  url: string;
  where: string;
  close(): Promise<void>;
}

export async function openBenchDatabase(): Promise<BenchDatabase> {
  const name = `we_bench_${randomBytes(4).toString("hex")}`;
  let adminUrl = process.env.WEBENCODE_BENCH_PG_URL;
  let stopServer = async () => {};
  let dir: string | undefined;
  if (!adminUrl) {
    dir = await mkdtemp(join(tmpdir(), "webencode-bench-"));
    await chmod(dir, 0o755);
    const server = await startEmbeddedPostgres({
      dataDir: join(dir, "pg"),
      password: randomBytes(8).toString("hex"),
    });
    adminUrl = server.url;
    stopServer = () => server.stop();
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const version = (await admin.query<{ server_version: string }>("show server_version")).rows[0]!
    .server_version;
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    where: `PostgreSQL ${version} (${process.env.WEBENCODE_BENCH_PG_URL ? "server" : "embedded"}, default settings)`,
    async close() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
      await stopServer();
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export const round = (n: number, digits = 0) => Number(n.toFixed(digits));
