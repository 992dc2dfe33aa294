import { type ChildProcess, execFile, spawn } from "node:child_process";
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../../bin/webencode.mjs", import.meta.url));
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

// the embedded database, whatever the surrounding environment points at
const { DATABASE_URL: _db, EVENT_STORE_URL: _es, ...env } = process.env;

function startUp(dataDir: string): { child: ChildProcess; output: () => string; ready: Promise<void> } {
  const child = spawn(process.execPath, [bin, "up", "--data", dataDir], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
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

describe("webencode up (embedded)", () => {
  it("starts on embedded PostgreSQL, survives kill -9, and lets the CLI join the running platform", async () => {
    const dir = await mkdtemp(join(tmpdir(), "webencode-up-"));
    dirs.push(dir);
    await chmod(dir, 0o755);
    const dataDir = join(dir, "data");

    const first = startUp(dataDir);
    await first.ready;
    const postmaster = Number(
      (await readFile(join(dataDir, "postgres", "postmaster.pid"), "utf8")).split("\n")[0],
    );
    first.child.kill("SIGKILL");
    await new Promise((r) => first.child.once("exit", r));
    expect(alive(postmaster)).toBe(true); // the database outlived the platform

    const second = startUp(dataDir);
    await second.ready;
    expect(second.output()).toMatch(/found postmaster \d+ left running .* shutting it down/);
    expect(alive(postmaster)).toBe(false);

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
      (await readFile(join(dataDir, "postgres", "postmaster.pid"), "utf8").catch(() => "0")).split("\n")[0],
    );
    expect(pid === 0 || !alive(pid)).toBe(true); // stopped cleanly with the platform
  });
});
