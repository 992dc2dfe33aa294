// Keeps the dashboard's built files in step with its sources, so no user ever runs a build step: the
// kernel calls this on start; it builds when `web/build` is missing or was built from other sources (a
// hash of web/ and the lockfile, written beside the build), one process at a time across the machine.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { DashboardFiles } from "../http/dashboardRoutes.ts";

export type DashboardBuild =
  | { _tag: "DashboardReady"; clientDir: string; built: boolean }
  | { _tag: "DashboardUnavailable"; reason: string };

export interface DashboardBuildOptions {
  /** The dashboard's folder; default the project's web/. */
  webDir?: string;
  log?: (message: string) => void;
  /** How long a build may take before it counts as hung; default 10 minutes. */
  timeoutMs?: number;
}

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const SKIPPED = new Set(["build", ".react-router", "node_modules"]);
const HASH_FILE = ".source-hash";
const LOCK = ".build-lock";
const LOCK_STALE_MS = 10 * 60_000;

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries
      .filter((entry) => !SKIPPED.has(entry.name) && entry.name !== LOCK)
      .map((entry) => {
        const path = join(dir, entry.name);
        return entry.isDirectory() ? sourceFiles(path) : Promise.resolve(entry.isFile() ? [path] : []);
      }),
  );
  return nested.flat().sort();
}

/** A hash of everything the build reads: web/'s own files and the locked dependency versions. */
export async function dashboardSourceHash(webDir: string): Promise<string> {
  const hash = createHash("sha256");
  const root = dirname(webDir);
  for (const file of [...(await sourceFiles(webDir)), join(root, "bun.lock"), join(root, "package.json")]) {
    const content = await readFile(file).catch(() => null);
    if (content === null) continue;
    hash.update(relative(root, file)).update("\0").update(content).update("\0");
  }
  return hash.digest("hex");
}

const builtHash = (webDir: string) =>
  readFile(join(webDir, "build", HASH_FILE), "utf8")
    .then((text) => text.trim())
    .catch(() => null);

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** Takes the build lock, or says who holds it. A lock whose process died, or that is old, is taken over. */
async function takeLock(lockDir: string): Promise<boolean> {
  try {
    await mkdir(lockDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const owner = await readFile(join(lockDir, "pid"), "utf8").catch(() => "");
    const since = await stat(lockDir).then(
      (s) => s.mtimeMs,
      () => 0,
    );
    const pid = Number(owner);
    const stale = Date.now() - since > LOCK_STALE_MS || (pid > 0 && !alive(pid));
    // no pid yet: its owner is between mkdir and writeFile, unless that was long ago
    if (!stale) return false;
    await rm(lockDir, { recursive: true, force: true });
    return takeLock(lockDir);
  }
  await writeFile(join(lockDir, "pid"), String(process.pid));
  return true;
}

function runBuild(
  webDir: string,
  lockDir: string,
  timeoutMs: number,
): Promise<{ ok: boolean; output: string }> {
  const cli = join(
    dirname(createRequire(join(PROJECT_ROOT, "package.json")).resolve("@react-router/dev/package.json")),
    "bin.js",
  );
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [cli, "build"], {
      cwd: webDir,
      env: { ...process.env, NODE_ENV: "production" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    // the build outlives a kernel stopped meanwhile: the lock names the build, so nobody starts a second
    if (child.pid !== undefined) void writeFile(join(lockDir, "pid"), String(child.pid)).catch(() => {});
    let output = "";
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      resolvePromise({ ok: false, output: error.message });
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolvePromise({ ok: code === 0, output });
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Builds the dashboard unless its build matches its sources; resolves once it can be served. */
export async function ensureDashboardBuild(options: DashboardBuildOptions = {}): Promise<DashboardBuild> {
  const webDir = options.webDir ?? join(PROJECT_ROOT, "web");
  const log = options.log ?? (() => {});
  const clientDir = join(webDir, "build", "client");
  const lockDir = join(webDir, LOCK);
  try {
    await stat(join(webDir, "react-router.config.ts"));
  } catch {
    return { _tag: "DashboardUnavailable", reason: `no dashboard sources in ${webDir}` };
  }
  const wanted = await dashboardSourceHash(webDir);
  for (;;) {
    if ((await builtHash(webDir)) === wanted) return { _tag: "DashboardReady", clientDir, built: false };
    if (await takeLock(lockDir)) break;
    // another process is building these sources: wait for it rather than build them twice
    await sleep(500);
  }
  try {
    if ((await builtHash(webDir)) === wanted) return { _tag: "DashboardReady", clientDir, built: false };
    log("building the dashboard (once per change of its sources)…");
    const started = Date.now();
    const result = await runBuild(webDir, lockDir, options.timeoutMs ?? LOCK_STALE_MS);
    if (!result.ok) {
      return { _tag: "DashboardUnavailable", reason: `the dashboard build failed: ${result.output.trim()}` };
    }
    await writeFile(join(webDir, "build", HASH_FILE), `${wanted}\n`);
    log(`dashboard built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return { _tag: "DashboardReady", clientDir, built: true };
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}

/**
 * Starts `ensureDashboardBuild` without holding up the kernel: the API answers at once, and the
 * dashboard's pages say they are being built until they are.
 */
export function startDashboardBuild(
  log: (message: string) => void,
  options: Omit<DashboardBuildOptions, "log"> = {},
): () => DashboardFiles {
  let state: DashboardFiles = { _tag: "DashboardBuilding" };
  ensureDashboardBuild({ ...options, log }).then(
    (build) => {
      state =
        build._tag === "DashboardReady" ? { _tag: "DashboardReady", clientDir: build.clientDir } : build;
      if (build._tag === "DashboardUnavailable") log(`dashboard unavailable: ${build.reason}`);
    },
    (error: Error) => {
      state = { _tag: "DashboardUnavailable", reason: error.message };
      log(`dashboard unavailable: ${error.message}`);
    },
  );
  return () => state;
}
