// No single request can end the platform: `webencode up` as its own process survives a fault that no
// code handles (reported in /ready) and a multipart upload whose file cannot be stored, and answers
// the next request each time. A fault during start-up still ends it, cleanly.
import { spawn } from "node:child_process";
import { chmod, mkdir, mkdtemp, readdir, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PlatformProcess, startPlatform, webencodeBin } from "../support/platformProcess.ts";

let dir: string;
let platform: PlatformProcess;
const preload = new URL("../support/faultOnRequest.mjs", import.meta.url);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-faults-"));
  await chmod(dir, 0o755);
  platform = await startPlatform(join(dir, "data"), join(dir, "media"), {
    NODE_OPTIONS: `--import=${preload.href}`,
  });
});

afterAll(async () => {
  await platform?.kill();
  await rm(dir, { recursive: true, force: true });
});

const alive = () => {
  expect(platform.child.exitCode).toBeNull();
  expect(platform.child.signalCode).toBeNull();
};

describe("a platform process under faults", () => {
  it("survives an unhandled rejection and an uncaught exception, counts them in /ready, and serves on", async () => {
    for (const fault of ["rejection", "exception"]) {
      const faulty = await fetch(`${platform.url}/health`, { headers: { "x-test-fault": fault } });
      expect(faulty.status).toBe(200);
    }
    // the exception is thrown on the next turn of the event loop: ask until both are counted
    let ready: { checks: { process: { detail: Record<string, number> } } } | undefined;
    for (let i = 0; i < 100; i++) {
      const response = await fetch(`${platform.url}/ready`);
      ready = (await response.json()) as typeof ready;
      if (ready?.checks.process.detail.uncaught_exceptions === 1) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(ready?.checks.process.detail).toMatchObject({ unhandled_rejections: 1, uncaught_exceptions: 1 });
    alive();
    expect(platform.output()).toMatch(/unhandled rejection .*keeps serving.*injected unhandled rejection/);
    expect(platform.output()).toMatch(/uncaught exception .*keeps serving.*injected uncaught exception/);
    expect((await fetch(`${platform.url}/health`)).status).toBe(200);
  });

  it("answers a multipart upload whose file cannot be stored, leaves nothing, and serves on", async () => {
    // an uploads/ folder that leads out of the media root: storage-fs refuses it, a server-side fault
    const elsewhere = join(dir, "elsewhere");
    await mkdir(elsewhere);
    await mkdir(join(dir, "media"), { recursive: true });
    await symlink(elsewhere, join(dir, "media", "uploads"));
    const data = new FormData();
    data.append("file", new Blob([Buffer.alloc(256 * 1024, 1)]), "clip.mp4");
    const upload = await fetch(`${platform.url}/v1/files/upload`, {
      method: "POST",
      headers: { authorization: `Bearer ${platform.adminToken}` },
      body: data,
    });
    expect(upload.status).toBe(500);
    expect(((await upload.json()) as { error: { code: string; hint: string } }).error).toMatchObject({
      code: "WE-STO-002",
      hint: expect.any(String),
    });
    expect(await readdir(elsewhere)).toEqual([]);
    alive();
    expect((await fetch(`${platform.url}/health`)).status).toBe(200);
    const ready = (await (await fetch(`${platform.url}/ready`)).json()) as {
      checks: { process: { detail: Record<string, number> } };
    };
    // the upload's failure was handled where it happened, not by the process-wide net
    expect(ready.checks.process.detail.unhandled_rejections).toBe(1);
  });
});

describe("a fault during start-up", () => {
  it("ends webencode up with an error, and stops the embedded database it had started", async () => {
    const data = join(dir, "data-start-up");
    const { DATABASE_URL: _db, EVENT_STORE_URL: _es, NATS_URL: _nats, ...env } = process.env;
    const child = spawn(
      process.execPath,
      [webencodeBin, "up", "--data", data, "--media-dir", join(dir, "media-start-up"), "--port", "0"],
      {
        env: { ...env, NODE_OPTIONS: `--import=${preload.href}`, WEBENCODE_TEST_FAULT_AT_LISTEN: "1" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code, output).toBe(1);
    expect(output).toMatch(/unhandled rejection during start-up: .*injected fault during start-up/);
    expect(output).toMatch(/embedded PostgreSQL ready/);
    expect(output).not.toMatch(/WebEncode is running/);
    // the cluster was stopped, not orphaned: no postmaster left behind
    const left = await readdir(join(data, "postgres"));
    expect(left).toContain("PG_VERSION");
    expect(left).not.toContain("postmaster.pid");
  });
});
