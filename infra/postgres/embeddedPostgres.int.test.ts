import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres } from "./embeddedPostgres.ts";

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function query(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe("embedded PostgreSQL", () => {
  it("keeps data across restarts and takes over a postmaster orphaned by a process killed with -9", async () => {
    const dir = await mkdtemp(join(tmpdir(), "webencode-embedded-"));
    dirs.push(dir);
    await chmod(dir, 0o755);
    const dataDir = join(dir, "pg");
    const password = randomBytes(8).toString("hex");

    // A separate Node process starts the cluster, writes a row, and is killed with -9: its postmaster lives on.
    const script = `
      import { startEmbeddedPostgres } from ${JSON.stringify(new URL("./embeddedPostgres.ts", import.meta.url).pathname)};
      import pg from "pg";
      const server = await startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)}, password: ${JSON.stringify(password)} });
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      await client.query("create table kept (v text)");
      await client.query("insert into kept values ('before kill')");
      console.log("ready " + server.pid);
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const orphanPid = await new Promise<number>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        const match = /ready (\d+)/.exec(chunk.toString());
        if (match) resolve(Number(match[1]));
      });
      child.on("exit", (code) => reject(new Error(`child exited ${code}`)));
    });
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    expect(() => process.kill(orphanPid, 0)).not.toThrow(); // the orphan is still running

    const server = await startEmbeddedPostgres({ dataDir, password });
    try {
      expect(server.pid).not.toBe(orphanPid);
      expect(() => process.kill(orphanPid, 0)).toThrow(); // stopped, not left beside a second cluster
      const pidFile = await readFile(join(dataDir, "postmaster.pid"), "utf8");
      expect(Number(pidFile.split("\n")[0])).toBe(server.pid);
      expect(await query(server.url, "select v from kept")).toEqual([{ v: "before kill" }]);
    } finally {
      await server.stop();
    }
  });

  it("refuses logins without the password", async () => {
    const dir = await mkdtemp(join(tmpdir(), "webencode-embedded-"));
    dirs.push(dir);
    await chmod(dir, 0o755);
    const server = await startEmbeddedPostgres({ dataDir: join(dir, "pg"), password: "right-password" });
    try {
      const wrong = server.url.replace("right-password", "wrong");
      await expect(query(wrong, "select 1")).rejects.toThrow(/password authentication failed/);
    } finally {
      await server.stop();
    }
  });
});
