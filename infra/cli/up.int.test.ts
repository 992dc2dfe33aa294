import { type ChildProcess, execFile, spawn } from "node:child_process";
import { chmod, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../../bin/webencode.mjs", import.meta.url));
const dirs: string[] = [];
/** Clusters kept outside their data directory: stopped (should a test fail half-way) and removed. */
const clusters: string[] = [];
afterAll(async () => {
  for (const cluster of clusters) {
    const pid = Number(
      (await readFile(join(cluster, "postmaster.pid"), "utf8").catch(() => "0")).split("\n")[0],
    );
    if (pid > 0 && alive(pid)) process.kill(pid, "SIGQUIT");
  }
  for (const dir of [...dirs, ...clusters]) await rm(dir, { recursive: true, force: true });
});

// the embedded database, whatever the surrounding environment points at
const { DATABASE_URL: _db, EVENT_STORE_URL: _es, ...env } = process.env;

interface Started {
  child: ChildProcess;
  output: () => string;
  ready: Promise<void>;
}

function startUp(dataDir: string): Started {
  const mediaDir = join(dataDir, "..", "media");
  const child = spawn(
    process.execPath,
    [bin, "up", "--data", dataDir, "--media-dir", mediaDir, "--port", "0"],
    {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("WebEncode is running at")) resolve();
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`webencode up exited ${code}: ${output}`)));
  });
  return { child, output: () => output, ready };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The cluster of a data directory: inside it, or where its record says. */
async function clusterDir(dataDir: string): Promise<string> {
  const recorded = await readFile(join(dataDir, "postgres.location"), "utf8").catch(() => "");
  return recorded.trim() || join(dataDir, "postgres");
}

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

/** Starts, is killed with -9, starts again (stopping the orphaned database), then stops cleanly. */
async function survivesKill9(dataDir: string, onFirstStart?: (first: Started) => Promise<void>) {
  const first = startUp(dataDir);
  await first.ready;
  await onFirstStart?.(first);
  const cluster = await clusterDir(dataDir);
  if (!cluster.startsWith(`${dataDir}/`)) clusters.push(cluster);
  const postmaster = Number((await readFile(join(cluster, "postmaster.pid"), "utf8")).split("\n")[0]);
  first.child.kill("SIGKILL");
  await new Promise((r) => first.child.once("exit", r));
  expect(alive(postmaster)).toBe(true); // the database outlived the platform

  const second = startUp(dataDir);
  await second.ready;
  expect(second.output()).toMatch(/found postmaster \d+ left running .* shutting it down/);
  expect(alive(postmaster)).toBe(false);
  expect(await clusterDir(dataDir)).toBe(cluster);

  // a CLI command on the same directory joins the running cluster instead of starting another
  const status = await promisify(execFile)(
    process.execPath,
    [bin, "projections", "status", "--data", dataDir],
    {
      env,
    },
  );
  expect(status.stdout).toMatch(/jobs +position \d+ of \d+/);
  expect(status.stderr).not.toMatch(/embedded PostgreSQL ready/);

  const exited = new Promise<number | null>((r) => second.child.once("exit", r));
  second.child.kill("SIGTERM");
  expect(await exited).toBe(0);
  const pid = Number(
    (await readFile(join(cluster, "postmaster.pid"), "utf8").catch(() => "0")).split("\n")[0],
  );
  expect(pid === 0 || !alive(pid)).toBe(true); // stopped cleanly with the platform
  return cluster;
}

describe("webencode up (embedded)", () => {
  it("starts on embedded PostgreSQL, survives kill -9, and lets the CLI join the running platform", async () => {
    const dir = await mkdtemp(join(tmpdir(), "webencode-up-"));
    dirs.push(dir);
    await chmod(dir, 0o755);
    const dataDir = join(dir, "data");
    expect(await survivesKill9(dataDir)).toBe(join(dataDir, "postgres"));
    // only the database's own user passes through, to its cluster inside; nobody else may list it
    expect(await modeOf(dataDir)).toBe(process.getuid?.() === 0 ? 0o711 : 0o700);
  });

  it("starts from a private (0700) directory, as under /root or mktemp -d, keeping files to its user", async () => {
    const dir = await mkdtemp(join(tmpdir(), "webencode-up-private-"));
    dirs.push(dir);
    await chmod(dir, 0o700);
    const dataDir = join(dir, "data");
    const cluster = await survivesKill9(dataDir, async (first) => {
      const url = /running at (http:\/\/[\d.]+:\d+)/.exec(first.output())![1]!;
      // the first start prints its admin token just after the line that says it is running
      for (let i = 0; i < 100 && !/we_[A-Za-z0-9_-]+\s/.test(first.output()); i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      const token = /(we_[A-Za-z0-9_-]+)/.exec(first.output())![1]!;
      const upload = await fetch(`${url}/v1/files/upload?name=clip.mp4`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
        body: "not a movie, but bytes to keep private",
      });
      expect(upload.status).toBe(201);
      const { url: source } = (await upload.json()) as { url: string };
      expect(await modeOf(join(dir, "media", source.slice("fs://".length)))).toBe(0o600);
    });
    if (process.getuid?.() === 0) {
      // the postgres user cannot pass the private parent: the cluster lives where it can, owned by it
      expect(cluster.startsWith(`${dataDir}/`)).toBe(false);
      expect((await stat(cluster)).uid).not.toBe(0);
      expect(await modeOf(cluster)).toBe(0o700);
    } else {
      expect(cluster).toBe(join(dataDir, "postgres"));
    }
    expect(await modeOf(dataDir)).toBe(0o700);
    expect(await modeOf(join(dataDir, "secrets"))).toBe(0o700);
    expect(await modeOf(join(dataDir, "secrets", "signing-key"))).toBe(0o600);
    expect(await modeOf(join(dataDir, "storage"))).toBe(0o700);
  }, 180_000); // two platform starts on embedded PostgreSQL and a kill -9: slow on a loaded machine
});
