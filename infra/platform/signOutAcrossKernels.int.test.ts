// Two `webencode kernel` replicas on one database, as behind a load balancer: a browser session signed
// out on one is refused by the other too, within the bound a revocation has (the token cache's second).
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/support/testDatabase.ts";
import { createMemoryProgressBus } from "../progress/memoryProgressBus.ts";
import { createMemoryWorkQueue } from "../queue/memory/memoryWorkQueue.ts";
import { openDatabase, type PlatformDatabase } from "./openDatabase.ts";
import { loadConfig } from "./platformConfig.ts";
import { type Kernel, startKernel } from "./startKernel.ts";

let dir: string;
let database: TestDatabase;
const replicas: { kernel: Kernel; db: PlatformDatabase }[] = [];

// every replica of one installation shares its signing secret, as the README's distributed setup says
const env = { WEBENCODE_SECRET: "shared-by-every-kernel-of-this-installation" };

async function startReplica(name: string): Promise<Kernel> {
  const config = loadConfig({ port: "0", data: join(dir, name), "media-dir": join(dir, "media") }, env);
  const db = await openDatabase({ dataDir: config.dataDir, databaseUrl: database.url });
  const kernel = await startKernel(config, db, createMemoryWorkQueue(), createMemoryProgressBus(), () => {});
  replicas.push({ kernel, db });
  return kernel;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-signout-"));
  await chmod(dir, 0o755);
  database = await createTestDatabase("signout");
});
afterAll(async () => {
  for (const { kernel, db } of replicas) {
    await kernel.stop();
    await db.close();
  }
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

async function signIn(kernel: Kernel, token: string): Promise<string> {
  const response = await fetch(`${kernel.url}/v1/auth/session`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ token }),
  });
  expect(response.status).toBe(201);
  return response.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

const jobsOf = (kernel: Kernel, cookie: string) =>
  fetch(`${kernel.url}/v1/jobs`, { headers: { Cookie: cookie } });

async function errorOf(response: Response) {
  return ((await response.json()) as { error: { code: string; details: string } }).error;
}

describe("sign-out across kernel replicas", () => {
  it("a cookie signed out on kernel A is refused by kernel B with WE-AUTH-001, and only that session ends", async () => {
    const a = await startReplica("kernel-a");
    const b = await startReplica("kernel-b");
    const issued = await a.tokens.issue(
      { name: "browser", role: "operator" },
      { userId: "system", role: "system" },
    );
    if (issued._tag !== "Issued") throw new Error(issued._tag);

    const cookie = await signIn(a, issued.token);
    const other = await signIn(b, issued.token);
    // B accepts A's cookie (and now holds the token's row in its cache)
    expect((await jobsOf(b, cookie)).status).toBe(200);
    const me = await fetch(`${b.url}/v1/auth/session`, { headers: { Cookie: cookie } });
    expect(await me.json()).toMatchObject({ role: "operator", token_id: issued.tokenId });

    const out = await fetch(`${a.url}/v1/auth/session`, { method: "DELETE", headers: { Cookie: cookie } });
    expect(out.status).toBe(204);
    expect(Number(out.headers.get("X-WebEncode-Position"))).toBeGreaterThan(issued.position);
    const refusedByA = await jobsOf(a, cookie);
    expect(refusedByA.status).toBe(401);
    expect(await errorOf(refusedByA)).toMatchObject({
      code: "WE-AUTH-001",
      details: "The session was signed out: sign in again",
    });

    const signedOutAt = Date.now();
    let refusedByB = await jobsOf(b, cookie);
    while (refusedByB.status === 200 && Date.now() - signedOutAt < 3_000) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      refusedByB = await jobsOf(b, cookie);
    }
    expect(refusedByB.status).toBe(401);
    // the revocation bound: B trusts a token row it read for at most a second
    expect(Date.now() - signedOutAt).toBeLessThan(1_500);
    expect(await errorOf(refusedByB)).toMatchObject({
      code: "WE-AUTH-001",
      details: "The session was signed out: sign in again",
    });
    expect((await fetch(`${b.url}/v1/auth/session`, { headers: { Cookie: cookie } })).status).toBe(401);

    // the session opened on B with the same token still works everywhere
    expect((await jobsOf(a, other)).status).toBe(200);
    expect((await jobsOf(b, other)).status).toBe(200);
    // signing out again on B has nothing left to end, and still clears the cookies
    const again = await fetch(`${b.url}/v1/auth/session`, { method: "DELETE", headers: { Cookie: cookie } });
    expect(again.status).toBe(204);
    expect(again.headers.get("X-WebEncode-Position")).toBeNull();
    expect(again.headers.getSetCookie().find((c) => c.startsWith("we_session="))).toMatch(/Max-Age=0/);
  });
});
