// Every documented route × every caller, through the real kernel with real tokens: no token or a forged
// one → WE-AUTH-001, a role below the route's → WE-AUTH-003, the route's role or above → through to the
// route; public and signed routes answer everyone alike. Each answer is one the document promises.
import { randomUUID } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiRoute, apiRoutes } from "../../schemas/api/apiRoutes.ts";
import { answerProblems, readAnswer } from "../../test/support/apiContract.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/testDatabase.ts";
import type { Role } from "../http/httpEnv.ts";
import { createMemoryProgressBus } from "../progress/memoryProgressBus.ts";
import { createMemoryWorkQueue } from "../queue/memory/memoryWorkQueue.ts";
import { openDatabase, type PlatformDatabase } from "./openDatabase.ts";
import { loadConfig } from "./platformConfig.ts";
import { type Kernel, startKernel } from "./startKernel.ts";

let database: TestDatabase;
let db: PlatformDatabase;
let kernel: Kernel;
let dir: string;
const tokens: Partial<Record<Role, string>> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-roles-"));
  await chmod(dir, 0o755);
  database = await createTestDatabase("roles");
  const config = loadConfig({ port: "0", data: join(dir, "data"), "media-dir": join(dir, "media") }, {});
  db = await openDatabase({ dataDir: config.dataDir, databaseUrl: database.url });
  kernel = await startKernel(config, db, createMemoryWorkQueue(), createMemoryProgressBus(), () => {});
  for (const role of ["viewer", "operator", "admin"] as const) {
    const issued = await kernel.tokens.issue({ name: role, role }, { userId: "system", role: "system" });
    if (issued._tag !== "Issued") throw new Error(issued._tag);
    tokens[role] = issued.token;
  }
});
afterAll(async () => {
  await kernel?.stop();
  await db?.close();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

/** A request to each documented route: a random id, no body; the role check comes before either is read. */
const pathOf = (route: ApiRoute) =>
  route.path.replace("{id}", randomUUID()).replace("{name}", "swagger-ui.css");
const rank: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };
type Caller = Role | "no token" | "a forged token";
const callers: Caller[] = ["no token", "a forged token", "viewer", "operator", "admin"];

async function answerOf(route: ApiRoute, caller: Caller) {
  const token =
    caller === "no token" ? undefined : caller === "a forged token" ? `we_${"0".repeat(40)}` : tokens[caller];
  const sent = await fetch(`${kernel.url}${pathOf(route)}`, {
    method: route.method.toUpperCase(),
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  const { answer, response } = await readAnswer(sent);
  // the event feed answers a stream that never ends
  if (!response.bodyUsed) await response.body?.cancel();
  const code = (answer.json as { error?: { code?: string } } | undefined)?.error?.code ?? null;
  return { status: answer.status, code, problems: answerProblems(route, answer) };
}

describe("documented route × caller matrix", () => {
  for (const route of apiRoutes) {
    it(`${route.method.toUpperCase()} ${route.path} is for ${route.access}`, async () => {
      const answers = new Map<Caller, Awaited<ReturnType<typeof answerOf>>>();
      for (const caller of callers) answers.set(caller, await answerOf(route, caller));
      for (const [caller, answer] of answers) {
        // every answer, refusals included, is one the document promises
        expect({ caller, problems: answer.problems }).toEqual({ caller, problems: [] });
        const seen = { caller, status: answer.status, code: answer.code };
        const access = route.access;
        if (access === "session") {
          // reads its own credentials (a token to sign in with, the cookie): covered by sessionRoutes' tests
          expect(seen.code ?? "").not.toBe("WE-AUTH-003");
        } else if (access === "public" || access === "signed") {
          // a bearer token neither opens nor closes these: everyone gets what no token gets
          expect(seen).toEqual({
            caller,
            status: answers.get("no token")!.status,
            code: answers.get("no token")!.code,
          });
          if (access === "public") expect(seen.status).toBeLessThan(400);
          else expect(seen.status).toBeGreaterThanOrEqual(400);
        } else if (caller === "no token" || caller === "a forged token") {
          expect(seen).toEqual({ caller, status: 401, code: "WE-AUTH-001" });
        } else if (rank[caller] < rank[access]) {
          expect(seen).toEqual({ caller, status: 403, code: "WE-AUTH-003" });
        } else {
          // through to the route: whatever it answers, it is not an authorization refusal
          expect(seen.code ?? "").not.toMatch(/^WE-AUTH-/);
        }
      }
    });
  }
});

describe("public routes", () => {
  it("serve health, readiness, the OpenAPI document and the docs page without a token", async () => {
    expect(await (await fetch(`${kernel.url}/health`)).json()).toEqual({
      status: "ok",
      version: expect.any(String),
    });
    const ready = await fetch(`${kernel.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: "ready",
      checks: { event_store: { ok: true }, processors: { ok: true }, queue: { ok: true } },
    });
    const openApi = (await (await fetch(`${kernel.url}/openapi.json`)).json()) as {
      openapi: string;
      paths: object;
    };
    expect(openApi.openapi).toBe("3.1.0");
    expect(Object.keys(openApi.paths)).toEqual(
      expect.arrayContaining(["/v1/jobs", "/v1/jobs/{id}", "/v1/tokens", "/v1/plugins"]),
    );
    const docs = await fetch(`${kernel.url}/docs`);
    expect(docs.status).toBe(200);
    const page = await docs.text();
    expect(page).toMatch(/swagger/i);
    // everything the page loads comes from us: it works without internet access
    const assets = [...page.matchAll(/(?:href|src)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets.sort()).toEqual([
      "/docs/assets/swagger-ui-dist/swagger-ui-bundle.js",
      "/docs/assets/swagger-ui-dist/swagger-ui.css",
    ]);
    for (const [asset, type] of [
      [assets[0]!, "text/javascript"],
      [assets[1]!, "text/css"],
    ]) {
      const response = await fetch(`${kernel.url}${asset}`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toContain(type);
      expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
    }
    for (const other of ["package.json", "..%2Fpackage.json", "index.html"]) {
      expect((await fetch(`${kernel.url}/docs/assets/swagger-ui-dist/${other}`)).status).toBe(404);
    }
    // other paths outside the API belong to the dashboard, which draws its own "not found" page
    const unknown = await fetch(`${kernel.url}/v1/nowhere`, {
      headers: { Authorization: `Bearer ${tokens.viewer}` },
    });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe("WE-SYS-006");
  });
});
