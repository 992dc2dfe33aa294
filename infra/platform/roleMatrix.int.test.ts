// Every /v1 route × every role, through the real kernel with real tokens: no token → WE-AUTH-001,
// a role below the route's → WE-AUTH-003, the route's role or above → through to the route.
import { randomUUID } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

const id = randomUUID();
const routes: Array<[method: string, path: string, needs: Role, body?: unknown]> = [
  ["GET", "/v1/jobs", "viewer"],
  ["GET", `/v1/jobs/${id}`, "viewer"],
  ["GET", `/v1/jobs/${id}/outputs`, "viewer"],
  ["GET", "/v1/profiles", "viewer"],
  ["GET", "/v1/workers", "viewer"],
  ["POST", "/v1/events/ticket", "viewer"],
  ["POST", "/v1/jobs", "operator", { source_url: "fs://missing.mp4", profile: "720p_h264" }],
  ["POST", `/v1/jobs/${id}/cancel`, "operator"],
  ["POST", `/v1/jobs/${id}/retry`, "operator"],
  ["DELETE", `/v1/jobs/${id}`, "operator"],
  ["POST", "/v1/files/upload?name=a.mp4", "operator", "bytes"],
  ["GET", "/v1/files/capabilities", "viewer"],
  ["GET", "/v1/files/roots", "operator"],
  ["GET", "/v1/files/browse", "operator"],
  ["POST", "/v1/files/upload-url", "operator", { object_key: "uploads/a.mp4" }],
  ["GET", "/v1/tokens", "admin"],
  ["POST", "/v1/tokens", "admin", { name: "x", role: "viewer" }],
  ["DELETE", `/v1/tokens/${id}`, "admin"],
  ["GET", "/v1/admin/dead-letters", "admin"],
  ["GET", "/v1/plugins", "admin"],
];
const rank: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };

describe("route × role matrix", () => {
  for (const [method, path, needs, body] of routes) {
    it(`${method} ${path.replace(id, "{id}")} needs ${needs}`, async () => {
      const call = (token?: string) =>
        fetch(`${kernel.url}${path}`, {
          method,
          headers: {
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(typeof body === "object" ? { "content-type": "application/json" } : {}),
          },
          body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
        });
      const anonymous = await call();
      expect(anonymous.status).toBe(401);
      expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe("WE-AUTH-001");
      for (const role of ["viewer", "operator", "admin"] as const) {
        const response = await call(tokens[role]);
        const text = await response.text();
        if (rank[role] < rank[needs]) {
          expect({ role, status: response.status }).toEqual({ role, status: 403 });
          expect(text).toContain("WE-AUTH-003");
        } else {
          expect({ role, status: response.status, text }).not.toMatchObject({ status: 401 });
          expect({ role, status: response.status }).not.toEqual({ role, status: 403 });
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
