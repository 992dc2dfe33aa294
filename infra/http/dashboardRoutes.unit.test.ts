import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testApp } from "../../test/support/testApp.ts";
import { type DashboardFiles, dashboardRoutes } from "./dashboardRoutes.ts";

let base: string;
let dir: string;
let state: DashboardFiles = { _tag: "DashboardBuilding" };
const app = testApp((app) => {
  app.route(
    "/",
    dashboardRoutes(() => state),
  );
  app.get("/v1/jobs", (c) => c.json({ api: true }));
  app.get("/health", (c) => c.json({ status: "ok" }));
  app.notFound((c) => c.json({ error: "not found" }, 404));
});

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), "dashboard-"));
  dir = join(base, "client");
  await mkdir(join(dir, "assets"), { recursive: true });
  await writeFile(join(dir, "index.html"), "<!doctype html><div id=app></div>");
  await writeFile(join(dir, "assets", "entry-abc123.js"), "console.log(1)");
  await writeFile(join(dir, "favicon.ico"), "icon");
  await writeFile(join(base, "secret.txt"), "outside");
});
afterAll(() => rm(base, { recursive: true, force: true }));

describe("dashboardRoutes", () => {
  it("says the dashboard is being built, and keeps the API answering, while the build runs", async () => {
    state = { _tag: "DashboardBuilding" };
    const page = await app.request("/jobs");
    expect(page.status).toBe(503);
    expect(page.headers.get("retry-after")).toBe("3");
    expect(await (await app.request("/v1/jobs")).json()).toEqual({ api: true });
  });

  describe("once built", () => {
    beforeAll(() => {
      state = { _tag: "DashboardReady", clientDir: dir };
    });

    it("serves hashed assets as immutable for a year", async () => {
      const response = await app.request("/assets/entry-abc123.js");
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
      expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      expect(await response.text()).toBe("console.log(1)");
    });

    it("answers every page path with index.html, never cached stale", async () => {
      for (const path of ["/", "/dashboard", "/ja/jobs/5e0b7b5c-1111-4111-8111-111111111111"]) {
        const response = await app.request(path);
        expect(response.status, path).toBe(200);
        expect(response.headers.get("cache-control")).toBe("no-cache");
        expect(await response.text()).toContain("<div id=app>");
      }
    });

    it("never shadows the API, the health checks or the documentation", async () => {
      expect(await (await app.request("/v1/jobs")).json()).toEqual({ api: true });
      expect(await (await app.request("/health")).json()).toEqual({ status: "ok" });
      for (const path of ["/v1/nothing-here", "/openapi.json", "/docs", "/ready"]) {
        expect((await app.request(path)).status, path).toBe(404);
      }
    });

    it("answers a missing file with 404, not with the page", async () => {
      const response = await app.request("/assets/gone-999.js");
      expect(response.status).toBe(404);
    });

    it("serves nothing outside the build", async () => {
      for (const path of ["/../secret.txt", "/%2e%2e/secret.txt", "/assets/%2e%2e/%2e%2e/secret.txt"]) {
        const response = await app.request(path);
        expect(await response.text(), path).not.toContain("outside");
      }
    });

    it("lets other methods through to the API", async () => {
      expect((await app.request("/jobs", { method: "POST" })).status).toBe(404);
    });
  });

  it("falls through to the API's 404 when the dashboard could not be built", async () => {
    state = { _tag: "DashboardUnavailable", reason: "no sources" };
    expect((await app.request("/dashboard")).status).toBe(404);
  });
});
