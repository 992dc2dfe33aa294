// A quarantined worker on the dashboard, in a real browser against `webencode up` whose only worker's
// ffmpeg fails every encode: /workers and /workers/:id show the quarantine with its reason; an admin
// lifts it with a button a viewer never sees; the pages have no serious axe findings, light or dark.
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDashboardBuild } from "../../infra/platform/dashboardBuild.ts";
import type { WorkerDetail } from "../../schemas/api/workerResponses.ts";
import {
  type BrowserGlobals,
  type DashboardBrowser,
  openDashboardBrowser,
} from "../support/dashboardBrowser.ts";
import { makeClip } from "../support/mediaClip.ts";
import { type PlatformProcess, startPlatform } from "../support/platformProcess.ts";
import { writeFailingEncodeFfmpeg } from "../support/writeFailingEncodeFfmpeg.ts";

let dir: string;
let platform: PlatformProcess;
let dashboard: DashboardBrowser;
let admin: BrowserContext;
let viewer: BrowserContext;
let worker: WorkerDetail;
const jobIds: string[] = [];

beforeAll(async () => {
  const build = await ensureDashboardBuild();
  expect(build._tag).toBe("DashboardReady");
  dir = await mkdtemp(join(tmpdir(), "webencode-dashboard-quarantine-"));
  await chmod(dir, 0o755);
  await mkdir(join(dir, "media"));
  await mkdir(join(dir, "data"));
  await makeClip(join(dir, "media", "short.mp4"), { seconds: 2, width: 320, height: 240 });
  const ffmpeg = await writeFailingEncodeFfmpeg(dir);
  await writeFile(join(dir, "data", "plugins.toml"), `[encoder-ffmpeg.config]\nffmpeg_path = "${ffmpeg}"\n`);
  platform = await startPlatform(join(dir, "data"), join(dir, "media"), { WEBENCODE_HEARTBEAT_MS: "200" });
  dashboard = await openDashboardBrowser(platform, platform.adminToken!);
  admin = await dashboard.signedIn(platform.adminToken!);
  const { token } = await dashboard.api<{ token: string }>("POST", "/v1/tokens", {
    name: "on call",
    role: "viewer",
  });
  viewer = await dashboard.signedIn(token);
}, 300_000);

afterAll(async () => {
  await dashboard?.close();
  await platform?.kill();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("a quarantined worker on the dashboard", () => {
  it("is quarantined after failing three attempts in a row; its open page and /workers say so with the reason", async () => {
    const { workers } = await dashboard.api<{ workers: { id: string }[] }>("GET", "/v1/workers");
    expect(workers).toHaveLength(1);
    const open = await admin.newPage();
    await open.goto(`${platform.url}/workers/${encodeURIComponent(workers[0]!.id)}`);
    await open.getByTestId("worker-state").locator('[data-status="online"]').waitFor();
    // a reload would drop this marker: the quarantine must reach the open page by itself
    await open.evaluate(() => {
      (globalThis as unknown as BrowserGlobals).noReload = true;
    });
    for (let i = 0; i < 3; i++)
      jobIds.push(
        (
          await dashboard.api<{ id: string }>("POST", "/v1/jobs", {
            source_url: "fs://short.mp4",
            profile: "480p_fast",
          })
        ).id,
      );
    await expect
      .poll(
        async () => {
          worker = await dashboard.api<WorkerDetail>(
            "GET",
            `/v1/workers/${encodeURIComponent(workers[0]!.id)}`,
          );
          return worker.quarantined;
        },
        { timeout: 120_000, interval: 250 },
      )
      .not.toBeNull();
    expect(worker.quarantined!.exit_class).toBe("transient");
    await open
      .getByTestId("worker-state")
      .locator('[data-status="quarantined"]')
      .waitFor({ timeout: 10_000 });
    expect(await open.getByTestId("quarantine-reason").textContent()).toBe(worker.quarantined!.reason);
    expect(await open.evaluate(() => (globalThis as unknown as BrowserGlobals).noReload)).toBe(true);
    await open.close();

    const page = await admin.newPage();
    await page.goto(`${platform.url}/workers`);
    const row = page.locator(`tr[data-worker-id="${worker.id}"]`);
    await row.locator('[data-status="quarantined"]').waitFor();
    expect(await row.locator('[data-status="quarantined"]').textContent()).toBe("Quarantined");
    expect(await row.getByTestId("quarantine-reason").textContent()).toBe(worker.quarantined!.reason);
    await row.getByRole("button", { name: `Lift quarantine ${worker.id}` }).waitFor();
    await dashboard.shot(page, "workers-quarantined");
    await page.close();
  });

  it("shows a viewer the quarantine on both pages without the control to lift it", async () => {
    const page = await viewer.newPage();
    await page.goto(`${platform.url}/workers`);
    const row = page.locator(`tr[data-worker-id="${worker.id}"]`);
    await row.locator('[data-status="quarantined"]').waitFor();
    expect(await page.getByRole("button", { name: /Lift quarantine|Drain|Undrain|Remove/ }).count()).toBe(0);
    await page.goto(`${platform.url}/workers/${encodeURIComponent(worker.id)}`);
    await page.getByRole("heading", { name: "Quarantined", exact: true }).waitFor();
    expect(await page.getByTestId("quarantine-reason").textContent()).toBe(worker.quarantined!.reason);
    expect(await page.getByRole("button", { name: /Lift quarantine/ }).count()).toBe(0);
    await page.goto(`${platform.url}/ja/workers/${encodeURIComponent(worker.id)}`);
    await page.getByRole("heading", { name: "隔離中", exact: true }).waitFor();
    await page.close();
  });

  it("has no serious or critical accessibility violations on the quarantined worker's pages, light or dark", async () => {
    const page = await admin.newPage();
    const found: Record<string, string[]> = {};
    for (const theme of ["light", "dark"]) {
      await page.goto(`${platform.url}/dashboard`);
      await page.evaluate(
        (t) => (globalThis as unknown as BrowserGlobals).localStorage.setItem("webencode.theme", t),
        theme,
      );
      await page.goto(`${platform.url}/workers`);
      await page.locator('[data-status="quarantined"]').waitFor();
      found[`/workers (${theme})`] = await dashboard.seriousViolations(page);
      await page.goto(`${platform.url}/workers/${encodeURIComponent(worker.id)}`);
      await page.getByTestId("quarantine").waitFor();
      found[`/workers/:id (${theme})`] = await dashboard.seriousViolations(page);
    }
    await page.evaluate(() =>
      (globalThis as unknown as BrowserGlobals).localStorage.setItem("webencode.theme", "light"),
    );
    await page.close();
    expect(Object.fromEntries(Object.entries(found).filter(([, v]) => v.length > 0))).toEqual({});
  });

  it("lets an admin lift the quarantine from the worker's page: the worker is shown online again", async () => {
    // with its jobs cancelled first, nothing is left for the still-broken worker to fail again at once
    for (const id of jobIds) await dashboard.api("POST", `/v1/jobs/${id}/cancel`, {});
    const page = await admin.newPage();
    await page.goto(`${platform.url}/workers/${encodeURIComponent(worker.id)}`);
    await page.getByTestId("quarantine").waitFor();
    await dashboard.shot(page, "worker-quarantined");
    const state = page.getByTestId("worker-state").locator("[data-status]");
    expect(await state.getAttribute("data-status")).toBe("quarantined");
    // reached and pressed from the keyboard alone
    const lift = `Lift quarantine ${worker.id}`;
    const focused = () =>
      page.evaluate(
        () =>
          (
            globalThis as unknown as {
              document: { activeElement: { getAttribute(n: string): string | null } | null };
            }
          ).document.activeElement?.getAttribute("aria-label") ?? null,
      );
    for (let step = 0; step < 40 && (await focused()) !== lift; step++) await page.keyboard.press("Tab");
    expect(await focused()).toBe(lift);
    await page.keyboard.press("Enter");
    await expect.poll(() => state.getAttribute("data-status"), { timeout: 10_000 }).toBe("online");
    await page.getByTestId("quarantine").waitFor({ state: "detached" });
    expect(await page.getByRole("button", { name: /Lift quarantine/ }).count()).toBe(0);
    const lifted = await dashboard.api<WorkerDetail>("GET", `/v1/workers/${encodeURIComponent(worker.id)}`);
    expect(lifted.quarantined).toBeNull();
    await page.close();
  });
});
