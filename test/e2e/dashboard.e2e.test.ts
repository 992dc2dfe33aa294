// The dashboard in a real browser against `webencode up`: sign in with a pasted token, a job from an
// uploaded clip through the wizard, its progress bar reaching 100 % without a reload, the event timeline
// moved back to "processing", the output downloaded, a viewer without controls, Japanese under /ja/.
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDashboardBuild } from "../../infra/platform/dashboardBuild.ts";
import {
  type BrowserGlobals,
  type DashboardBrowser,
  openDashboardBrowser,
} from "../support/dashboardBrowser.ts";
import { makeClip } from "../support/mediaClip.ts";
import { type PlatformProcess, startPlatform } from "../support/platformProcess.ts";

let dir: string;
let clip: string;
let longClip: string;
let platform: PlatformProcess;
let dashboard: DashboardBrowser;
let browser: Browser;
let admin: BrowserContext;
let adminToken: string;

const api = <T>(method: string, path: string, body?: unknown): Promise<T> =>
  dashboard.api<T>(method, path, body);
const signedIn = (token: string) => dashboard.signedIn(token);
const seriousViolations = (page: Page) => dashboard.seriousViolations(page);
const shot = (page: Page, name: string) => dashboard.shot(page, name);

beforeAll(async () => {
  // built once here (and only when its sources changed), so the platform below finds it ready
  const build = await ensureDashboardBuild();
  expect(build._tag).toBe("DashboardReady");
  dir = await mkdtemp(join(tmpdir(), "webencode-dashboard-"));
  await chmod(dir, 0o755);
  clip = join(dir, "harbour.mp4");
  longClip = join(dir, "long.mp4");
  await Promise.all([
    makeClip(clip, { seconds: 8, width: 640, height: 360 }),
    makeClip(longClip, { seconds: 40, width: 1280, height: 720 }),
  ]);
  platform = await startPlatform(join(dir, "data"), join(dir, "media"));
  adminToken = platform.adminToken!;
  expect(adminToken).toMatch(/^we_/);
  dashboard = await openDashboardBrowser(platform, adminToken);
  browser = dashboard.browser;
}, 240_000);

afterAll(async () => {
  await dashboard?.close();
  await platform?.kill();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the dashboard", () => {
  it("is served at / on the API's port, and the API beside it is untouched", async () => {
    const page = await fetch(`${platform.url}/jobs`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    const html = await page.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1] ?? /href="(\/assets\/[^"]+)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const script = await fetch(`${platform.url}${asset}`);
    expect(script.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect((await fetch(`${platform.url}/health`)).headers.get("content-type")).toContain("application/json");
    const unknown = await fetch(`${platform.url}/v1/nothing`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("content-type")).toContain("application/json");
  });

  it("signs in with a pasted token and shows the dashboard", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${platform.url}/dashboard`);
    await page.waitForURL(/\/sign-in/);
    await shot(page, "sign-in");
    await page.getByLabel("API token").fill("we_wrong-token-000000000000000000000000");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect
      .poll(() => page.getByRole("alert").textContent(), { timeout: 10_000 })
      .toContain("WE-AUTH-001");
    await page.getByLabel("API token").fill(adminToken);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/dashboard$/);
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    // the token is kept by no script-readable storage, only as the HttpOnly session cookie
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === "we_session")).toMatchObject({
      httpOnly: true,
      sameSite: "Strict",
    });
    expect(
      await page.evaluate(() => (globalThis as unknown as BrowserGlobals).document.cookie),
    ).not.toContain("we_session");
    expect(
      await page.evaluate(() => JSON.stringify((globalThis as unknown as BrowserGlobals).localStorage)),
    ).not.toContain(adminToken);
    admin = context;
    await page.close();
  });

  let jobId: string;

  it("creates a job from an uploaded clip through the wizard; its progress bar reaches 100 % without a reload", async () => {
    const page = await admin.newPage();
    await page.goto(`${platform.url}/jobs/new`);
    await page.getByLabel("Video file").setInputFiles(clip);
    await page.getByTestId("upload-progress").getByText("Uploaded").waitFor({ timeout: 30_000 });
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByLabel("480p_fast").check();
    await page.getByRole("button", { name: "Continue" }).click();
    await expect
      .poll(() => page.locator("dd").first().textContent(), { timeout: 10_000 })
      .toMatch(/^fs:\/\/uploads\/.*harbour\.mp4$/);
    await shot(page, "new-job");
    await page.getByRole("button", { name: "Start job" }).click();
    await page.waitForURL(/\/jobs\/[0-9a-f-]{36}$/);
    jobId = page.url().split("/").pop()!;
    // a reload would drop this marker: the page must move by itself, from the event feed
    await page.evaluate(() => {
      (globalThis as unknown as BrowserGlobals).noReload = true;
    });
    const seen = new Set<string>();
    await expect
      .poll(
        async () => {
          const text = (await page.getByTestId("job-progress").textContent()) ?? "";
          seen.add(text);
          return text;
        },
        { timeout: 150_000, interval: 250 },
      )
      .toBe("100 %");
    expect(await page.evaluate(() => (globalThis as unknown as BrowserGlobals).noReload)).toBe(true);
    await page.getByText("Completed", { exact: true }).first().waitFor();
    expect([...seen].some((text) => text !== "100 %")).toBe(true);

    // the output downloads through its signed link
    const link = page.getByRole("link", { name: /Download/ }).first();
    await link.waitFor();
    const download = await page.request.get((await link.getAttribute("href"))!);
    expect(download.status()).toBe(200);
    expect((await download.body()).length).toBeGreaterThan(10_000);
    await page.close();
  });

  it("replays the job from its events: moving the timeline slider back shows it processing", async () => {
    const page = await admin.newPage();
    await page.goto(`${platform.url}/jobs/${jobId}`);
    const state = page.getByTestId("timeline-state");
    await expect.poll(() => state.getAttribute("data-status"), { timeout: 20_000 }).toBe("completed");
    const slider = page.getByRole("slider", { name: "Event timeline" });
    await slider.focus();
    await page.keyboard.press("Home");
    await expect.poll(() => state.getAttribute("data-status"), { timeout: 5_000 }).toBe("queued");
    let status = "queued";
    for (let step = 0; step < 200 && status !== "processing"; step++) {
      await page.keyboard.press("ArrowRight");
      status = (await state.getAttribute("data-status")) ?? "";
    }
    expect(status).toBe("processing");
    expect(await page.getByTestId("timeline-position").textContent()).toMatch(/^Event \d+ of \d+$/);
    await page.getByTestId("timeline-state").scrollIntoViewIfNeeded();
    await shot(page, "job-timeline");
    await dashboard.shot(page, "job", { fullPage: true });
    await page.close();
  });

  it("shows a viewer no control it cannot use, while an operator may cancel", async () => {
    const upload = await fetch(`${platform.url}/v1/files/upload?name=long.mp4`, {
      method: "POST",
      headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/octet-stream" },
      body: await import("node:fs/promises").then((fs) => fs.readFile(longClip)),
    });
    const { url } = (await upload.json()) as { url: string };
    const running = await api<{ id: string }>("POST", "/v1/jobs", { source_url: url, profile: "1080p_h264" });
    const viewerToken = await api<{ token: string }>("POST", "/v1/tokens", {
      name: "wall screen",
      role: "viewer",
    });
    const viewer = await signedIn(viewerToken.token);

    const adminPage = await admin.newPage();
    await adminPage.goto(`${platform.url}/jobs`);
    const adminRow = adminPage.locator(`tr[data-job-id="${running.id}"]`);
    await adminRow.getByRole("button", { name: /^Cancel/ }).waitFor();
    await shot(adminPage, "jobs");

    const viewerPage = await viewer.newPage();
    await viewerPage.goto(`${platform.url}/jobs`);
    const viewerRow = viewerPage.locator(`tr[data-job-id="${running.id}"]`);
    await viewerRow.waitFor();
    expect(await viewerRow.getByRole("button").count()).toBe(0);
    expect(await viewerPage.getByRole("button", { name: /Cancel|Retry|Delete/ }).count()).toBe(0);
    expect(await viewerPage.getByRole("link", { name: "New job" }).count()).toBe(0);
    await viewerPage.goto(`${platform.url}/jobs/${running.id}`);
    await viewerPage.getByTestId("job-progress").waitFor();
    expect(await viewerPage.getByRole("button", { name: /Cancel/ }).count()).toBe(0);

    // the operator's cancel goes through the cookie session with its CSRF header
    await adminRow.getByRole("button", { name: /^Cancel/ }).click();
    await adminRow.getByText("Cancelled").waitFor({ timeout: 30_000 });

    await viewerPage.goto(`${platform.url}/ja/dashboard`);
    await viewerPage.getByRole("heading", { name: "ダッシュボード" }).waitFor();
    expect(await viewerPage.locator("html").getAttribute("lang")).toBe("ja");
    expect(await viewerPage.getByRole("navigation").textContent()).toContain("ジョブ");
    await shot(viewerPage, "dashboard-ja");
    await viewer.close();
    await adminPage.close();
  });

  it("loads at most 250 KB of gzipped JavaScript for /dashboard before its charts, which follow", async () => {
    const page = await admin.newPage();
    const scripts = new Map<string, Promise<Buffer>>();
    page.on("response", (response) => {
      if (response.request().resourceType() !== "script") return;
      scripts.set(new URL(response.url()).pathname, response.body());
    });
    await page.goto(`${platform.url}/dashboard`);
    await page.getByRole("heading", { name: "Recent jobs" }).waitFor();
    // the charts draw what the stats route counted: this session's job is in the last 24 hours
    await page.getByTestId("job-charts").locator("svg.recharts-surface").first().waitFor();
    await expect
      .poll(() => page.getByTestId("jobs-24h").textContent(), { timeout: 10_000 })
      .toMatch(/^[1-9]\d* submitted in 24 h$/);
    await page.waitForLoadState("networkidle");
    // the charts' chunk is imported only after the first render, with the chunks only it needs (recharts
    // is most of the weight, in a chunk shared with other pages' charts); everything else is first render
    const bodies = new Map<string, Buffer>();
    for (const [path, body] of scripts) bodies.set(path, await body);
    const staticImportsOf = (body: Buffer) =>
      [...body.toString().matchAll(/(?:from|import)\s*"\.\/([^"]+\.js)"/g)].map(
        ([, name]) => `/assets/${name}`,
      );
    const chartsChunk = [...bodies.keys()].find((path) => /\/JobCharts-[^/]+\.js$/.test(path));
    expect(chartsChunk).toBeDefined();
    const importedByOthers = new Set(
      [...bodies].filter(([path]) => path !== chartsChunk).flatMap(([, body]) => staticImportsOf(body)),
    );
    const chartScripts = [
      chartsChunk!,
      ...staticImportsOf(bodies.get(chartsChunk!)!).filter((path) => !importedByOthers.has(path)),
    ];
    const gzKb = (paths: string[]) =>
      paths.reduce((sum, path) => sum + gzipSync(bodies.get(path) ?? Buffer.alloc(0)).length, 0) / 1024;
    const initial = [...bodies.keys()].filter((path) => !chartScripts.includes(path));
    const kb = gzKb(initial);
    const chartsKb = gzKb(chartScripts);
    console.log(
      `initial_js_gz_kb=${kb.toFixed(1)} charts_js_gz_kb=${chartsKb.toFixed(1)} (${initial.length} scripts; the charts: ${chartScripts.join(", ")})`,
    );
    expect(initial.length).toBeGreaterThan(0);
    expect(kb).toBeLessThanOrEqual(250);
    await page.close();
  });

  it("searches the jobs list on the server", async () => {
    const page = await admin.newPage();
    await page.goto(`${platform.url}/jobs`);
    await expect.poll(() => page.locator("tbody tr").count(), { timeout: 10_000 }).toBe(2);
    await page.getByLabel("Search by id or source URL").fill("harbour");
    await page.waitForURL(/[?&]q=harbour/);
    await expect.poll(() => page.locator("tbody tr").count(), { timeout: 10_000 }).toBe(1);
    expect(await page.locator("tbody tr").first().getAttribute("data-job-id")).toBe(jobId);
    await page.close();
  });

  it("filters the jobs list by source type and created date and sorts it, all kept in the URL", async () => {
    const page = await admin.newPage();
    await page.goto(`${platform.url}/jobs?sort=created_at`);
    await expect.poll(() => page.locator("tbody tr").count(), { timeout: 10_000 }).toBe(2);
    // oldest first: the wizard's job came before the long one
    expect(await page.locator("tbody tr").first().getAttribute("data-job-id")).toBe(jobId);
    await page.getByLabel("Sort").selectOption("-created_at");
    await page.waitForURL((url) => !url.searchParams.has("sort"));
    await expect.poll(() => page.locator("tbody tr").last().getAttribute("data-job-id")).toBe(jobId);

    await page.getByLabel("Source type").selectOption("stream");
    await page.waitForURL(/[?&]source_type=stream/);
    await page.getByText("No jobs yet.").waitFor();
    await page.getByLabel("Source type").selectOption("");
    await expect.poll(() => page.locator("tbody tr").count(), { timeout: 10_000 }).toBe(2);

    const day = (offset: number) => {
      const d = new Date();
      d.setDate(d.getDate() + offset);
      return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
    };
    await page.getByLabel("Created from").fill(day(1));
    await page.waitForURL(new RegExp(`[?&]from=${day(1)}`));
    await page.getByText("No jobs yet.").waitFor();
    await page.getByLabel("Created from").fill(day(0));
    await page.getByLabel("Created until").fill(day(0));
    await page.waitForURL(new RegExp(`[?&]to=${day(0)}`));
    await expect.poll(() => page.locator("tbody tr").count(), { timeout: 10_000 }).toBe(2);
    // a reload keeps every filter: they live in the URL
    await page.reload();
    expect(await page.getByLabel("Created from").inputValue()).toBe(day(0));
    await expect.poll(() => page.locator("tbody tr").count(), { timeout: 10_000 }).toBe(2);
    await page.close();
  });

  it("browses storage and starts the wizard from a stored file; lists the profiles", async () => {
    const page = await admin.newPage();
    await page.goto(`${platform.url}/files`);
    await page.getByRole("button", { name: "uploads" }).click();
    const row = page.locator("tr", { hasText: "harbour.mp4" }).first();
    await row.waitFor();
    await shot(page, "files");
    await row.getByRole("link", { name: "Start job" }).click();
    await page.waitForURL(/\/jobs\/new\?source=/);
    // the source is chosen already: the wizard opens at the profile
    expect(await page.locator('[aria-current="step"]').textContent()).toContain("Profile");
    await page.getByLabel("480p_fast").check();
    await page.getByRole("button", { name: "Continue" }).click();
    await expect
      .poll(() => page.locator("dd").first().textContent(), { timeout: 10_000 })
      .toMatch(/^fs:\/\/uploads\/.*harbour\.mp4$/);
    await page.goto(`${platform.url}/settings/profiles`);
    await page.getByRole("cell", { name: "480p_fast" }).waitFor();
    await shot(page, "profiles");
    await page.close();
  });

  let workerId: string;

  it("shows a worker's page, where an admin drains it and takes it back; a viewer sees no such control", async () => {
    const { workers } = await api<{ workers: Array<{ id: string; hostname: string; status: string }> }>(
      "GET",
      "/v1/workers",
    );
    const worker = workers.find((w) => w.status === "online")!;
    expect(worker).toBeDefined();
    workerId = worker.id;
    const page = await admin.newPage();
    await page.goto(`${platform.url}/workers`);
    const row = page.locator(`tr[data-worker-id="${worker.id}"]`);
    await row.getByRole("button", { name: `Drain ${worker.id}` }).waitFor();
    await row.getByRole("link", { name: `Details of ${worker.id}` }).click();
    await page.waitForURL(/\/workers\/[^/]+$/);
    expect(decodeURIComponent(page.url().split("/").pop()!)).toBe(worker.id);
    await page.getByRole("heading", { name: "Capabilities" }).waitFor();
    await page.getByText("libx264", { exact: true }).first().waitFor();
    // the jobs encoded earlier in this run are this worker's
    await expect
      .poll(async () => Number(await page.getByTestId("tasks-done").textContent()), { timeout: 10_000 })
      .toBeGreaterThan(0);
    const state = page.getByTestId("worker-state").locator("[data-status]");
    expect(await state.getAttribute("data-status")).toBe("online");

    await page.getByRole("button", { name: `Drain ${worker.id}` }).click();
    await expect.poll(() => state.getAttribute("data-status"), { timeout: 10_000 }).toBe("draining");
    expect(await state.textContent()).toBe("Draining");
    expect((await api<{ draining: boolean }>("GET", `/v1/workers/${worker.id}`)).draining).toBe(true);
    await shot(page, "worker");
    await page.goto(`${platform.url}/workers`);
    await row.locator('[data-status="draining"]').waitFor();
    await shot(page, "workers");

    const viewerToken = await api<{ token: string }>("POST", "/v1/tokens", {
      name: "night shift",
      role: "viewer",
    });
    const viewer = await signedIn(viewerToken.token);
    const viewerPage = await viewer.newPage();
    await viewerPage.goto(`${platform.url}/workers/${encodeURIComponent(worker.id)}`);
    await viewerPage.getByRole("heading", { name: "Capabilities" }).waitFor();
    expect(await viewerPage.getByRole("button", { name: /Drain|Undrain|Remove/ }).count()).toBe(0);
    await viewer.close();

    await row.getByRole("button", { name: `Undrain ${worker.id}` }).click();
    await row.locator('[data-status="online"]').waitFor({ timeout: 10_000 });
    expect((await api<{ draining: boolean }>("GET", `/v1/workers/${worker.id}`)).draining).toBe(false);
    await page.close();
  });

  it("reports an error thrown in the page, a rejection and a broken image to /errors, which follows new reports live, where an operator resolves it and a viewer cannot", async () => {
    const context = await signedIn(adminToken);
    const page = await context.newPage();
    await page.goto(`${platform.url}/jobs`);
    await page.getByRole("heading", { name: "Jobs" }).waitFor();
    const tag = `${Date.now().toString(36)}`;
    // thrown outside any handler, as a bug in the page would be
    await page.evaluate((t) => {
      setTimeout(() => {
        throw new Error(`dashboard exploded ${t}`);
      });
      void Promise.reject(new Error(`promise forgotten ${t}`));
      const image = (
        globalThis as unknown as { document: { createElement(n: string): { src: string } } }
      ).document.createElement("img");
      (globalThis as unknown as { document: { body: { append(n: unknown): void } } }).document.body.append(
        image,
      );
      image.src = `/missing-${t}.png`;
    }, tag);
    type Listed = {
      errors: Array<{
        id: string;
        message: string;
        severity: string;
        source_component: string;
        context_data: Record<string, unknown>;
      }>;
    };
    await expect
      .poll(async () => (await api<Listed>("GET", `/v1/errors?q=${tag}`)).errors.length, { timeout: 15_000 })
      .toBe(3);
    const { errors } = await api<Listed>("GET", `/v1/errors?q=${tag}`);
    const thrown = errors.find((e) => e.message.includes("dashboard exploded"))!;
    expect(thrown).toMatchObject({ source_component: "frontend", severity: "error" });
    expect(thrown.context_data).toMatchObject({ kind: "error", url: "/jobs" });
    expect(errors.find((e) => e.message.includes("promise forgotten"))?.context_data).toMatchObject({
      kind: "unhandledrejection",
    });
    expect(errors.find((e) => e.message.startsWith("Failed to load img"))).toMatchObject({
      severity: "warning",
    });

    // a viewer sees it, with no control to resolve it
    const viewerToken = await api<{ token: string }>("POST", "/v1/tokens", {
      name: "error reader",
      role: "viewer",
    });
    const viewer = await signedIn(viewerToken.token);
    const viewerPage = await viewer.newPage();
    await viewerPage.goto(`${platform.url}/errors`);
    await viewerPage.locator(`tr[data-error-id="${thrown.id}"]`).waitFor();
    expect(await viewerPage.getByRole("button", { name: /^Resolve/ }).count()).toBe(0);
    await viewer.close();

    await page.getByRole("navigation").getByRole("link", { name: "Errors" }).click();
    await page.waitForURL(/\/errors$/);
    const row = page.locator(`tr[data-error-id="${thrown.id}"]`);
    await row.getByText(`Error: dashboard exploded ${tag}`, { exact: true }).waitFor();
    await shot(page, "errors");
    // a report made meanwhile shows up without a reload: the feed tells the page
    await page.evaluate(() => {
      (globalThis as unknown as BrowserGlobals).noReload = true;
    });
    const late = await api<{ id: string }>("POST", "/v1/errors", {
      severity: "fatal",
      message: `late ${tag}`,
    });
    await page.locator(`tr[data-error-id="${late.id}"]`).waitFor({ timeout: 10_000 });
    expect(await page.evaluate(() => (globalThis as unknown as BrowserGlobals).noReload)).toBe(true);
    await row.getByRole("button", { name: /^Resolve/ }).click();
    // the list shows open errors: the resolved one leaves it, and is found under "Resolved"
    await row.waitFor({ state: "detached", timeout: 10_000 });
    await page.getByLabel("State").selectOption("true");
    await page.waitForURL(/resolved=true/);
    await page.locator(`tr[data-error-id="${thrown.id}"] [data-state="resolved"]`).waitFor();
    await page.close();
    await context.close();
  });

  it("has no serious or critical accessibility violations on any page, light or dark", async () => {
    const anonymous = await browser.newContext();
    const signIn = await anonymous.newPage();
    await signIn.goto(`${platform.url}/sign-in`);
    await signIn.getByRole("button", { name: "Sign in" }).waitFor();
    const found: Record<string, string[]> = { "/sign-in": await seriousViolations(signIn) };
    await anonymous.close();
    const page = await admin.newPage();
    const pages: Array<[string, () => Promise<unknown>]> = [
      ["/dashboard", () => page.getByRole("heading", { name: "Recent jobs" }).waitFor()],
      ["/jobs", () => page.locator("tbody tr").first().waitFor()],
      [`/jobs/${jobId}`, () => page.getByTestId("timeline-position").waitFor()],
      ["/jobs/new", () => page.getByLabel("Video file").waitFor()],
      ["/workers", () => page.locator("tbody tr").first().waitFor()],
      [
        `/workers/${encodeURIComponent(workerId)}`,
        () => page.getByRole("heading", { name: "Capabilities" }).waitFor(),
      ],
      ["/files", () => page.getByRole("button", { name: "uploads" }).waitFor()],
      ["/settings/profiles", () => page.getByRole("cell", { name: "480p_fast" }).waitFor()],
      ["/settings/tokens", () => page.locator("tbody tr").first().waitFor()],
      ["/errors?resolved=all", () => page.locator("tbody tr").first().waitFor()],
    ];
    for (const theme of ["light", "dark"]) {
      await page.goto(`${platform.url}/dashboard`);
      await page.evaluate(
        (t) => (globalThis as unknown as BrowserGlobals).localStorage.setItem("webencode.theme", t),
        theme,
      );
      for (const [path, loaded] of pages) {
        await page.goto(`${platform.url}${path}`);
        await loaded();
        found[`${path} (${theme})`] = await seriousViolations(page);
      }
    }
    await page.evaluate(() =>
      (globalThis as unknown as BrowserGlobals).localStorage.setItem("webencode.theme", "light"),
    );
    await page.close();
    expect(Object.fromEntries(Object.entries(found).filter(([, v]) => v.length > 0))).toEqual({});
  });

  it("shows the dashboard, workers and tokens pages, light and dark", async () => {
    const page = await admin.newPage();
    await page.goto(`${platform.url}/dashboard`);
    await page.getByRole("heading", { name: "Recent jobs" }).waitFor();
    await expect
      .poll(() => page.locator("[data-live]").getAttribute("data-live"), { timeout: 10_000 })
      .toBe("true");
    // the charts load after the first render: the picture in the README shows them drawn
    await page.getByTestId("job-charts").locator("svg.recharts-surface").first().waitFor();
    await shot(page, "dashboard");
    await page.goto(`${platform.url}/workers`);
    await page.getByRole("heading", { name: "Workers" }).waitFor();
    await page.locator("tbody tr").first().waitFor();
    await page.goto(`${platform.url}/settings/tokens`);
    await page.getByText("wall screen").waitFor();
    await shot(page, "tokens");
    await page.getByRole("button", { name: "Toggle light and dark theme" }).click();
    expect(await page.locator("html").getAttribute("class")).toContain("dark");
    await page.goto(`${platform.url}/jobs/${jobId}`);
    await page.getByTestId("job-progress").waitFor();
    // the choice is remembered: the next page opens dark before its first paint
    expect(await page.locator("html").getAttribute("class")).toContain("dark");
    await shot(page, "job-dark");
    await page.close();
  });
});
