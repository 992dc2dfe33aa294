// Per-token rate limits on commands, through the real kernel with real tokens.
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type PlatformDatabase } from "../../infra/platform/openDatabase.ts";
import { loadConfig } from "../../infra/platform/platformConfig.ts";
import { type Kernel, startKernel } from "../../infra/platform/startKernel.ts";
import { createMemoryProgressBus } from "../../infra/progress/memoryProgressBus.ts";
import { createMemoryWorkQueue } from "../../infra/queue/memory/memoryWorkQueue.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/testDatabase.ts";

const BURST = 3;

let database: TestDatabase;
let db: PlatformDatabase;
let kernel: Kernel;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-ratelimit-"));
  await chmod(dir, 0o755);
  database = await createTestDatabase("ratelimit");
  const config = loadConfig(
    { port: "0", data: join(dir, "data"), "media-dir": join(dir, "media") },
    { WEBENCODE_RATE_LIMIT_PER_S: "1", WEBENCODE_RATE_LIMIT_BURST: String(BURST) },
  );
  db = await openDatabase({ dataDir: config.dataDir, databaseUrl: database.url });
  kernel = await startKernel(config, db, createMemoryWorkQueue(), createMemoryProgressBus(), () => {});
});
afterAll(async () => {
  await kernel?.stop();
  await db?.close();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

async function newToken(): Promise<string> {
  const issued = await kernel.tokens.issue(
    { name: "limited", role: "operator" },
    { userId: "system", role: "system" },
  );
  if (issued._tag !== "Issued") throw new Error(issued._tag);
  return issued.token;
}

const call = (method: string, path: string, token: string) =>
  fetch(`${kernel.url}${path}`, { method, headers: { authorization: `Bearer ${token}` } });

describe("command rate limit", () => {
  it("answers WE-SYS-005 with Retry-After beyond a token's burst, per token, and lets it through later", async () => {
    const token = await newToken();
    for (let i = 0; i < BURST; i++) expect((await call("POST", "/v1/events/ticket", token)).status).toBe(200);
    const limited = await call("POST", "/v1/events/ticket", token);
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);
    const body = (await limited.json()) as { error: { code: string; hint: string } };
    expect(body.error.code).toBe("WE-SYS-005");
    expect(body.error.hint).toContain(`${retryAfter} s`);

    // a command of another kind counts against the same bucket; queries are not limited
    expect((await call("DELETE", "/v1/jobs/00000000-0000-4000-8000-000000000000", token)).status).toBe(429);
    for (let i = 0; i < BURST * 2; i++) expect((await call("GET", "/v1/profiles", token)).status).toBe(200);

    // another token has a bucket of its own
    expect((await call("POST", "/v1/events/ticket", await newToken())).status).toBe(200);

    // after the time it was told to wait, the token is let through again
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 100));
    expect((await call("POST", "/v1/events/ticket", token)).status).toBe(200);
  });
});
