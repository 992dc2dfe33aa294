// A split job on the dashboard, in a real browser against `webencode up` with two workers and small
// segment bounds: its page shows the chunk, audio and stitch tasks with their kinds and workers, follows
// the job live to 100 % without a reload, then shows each seam's SSIM and delta as the API gives them,
// marking the seams that miss the goal; no serious axe findings light or dark; Japanese under /ja/.
import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDashboardBuild } from "../../infra/platform/dashboardBuild.ts";
import type { JobDetail } from "../../schemas/api/jobResponses.ts";
import {
  type BrowserGlobals,
  type DashboardBrowser,
  openDashboardBrowser,
} from "../support/dashboardBrowser.ts";
import { makeClip } from "../support/mediaClip.ts";
import { type PlatformProcess, startPlatform } from "../support/platformProcess.ts";

/** The job page's mark: a seam more than this below the job's mean SSIM may be visible. */
const SEAM_DELTA_LIMIT = -0.005;

let dir: string;
let platform: PlatformProcess;
let dashboard: DashboardBrowser;
let admin: BrowserContext;
let jobId: string;

beforeAll(async () => {
  const build = await ensureDashboardBuild();
  expect(build._tag).toBe("DashboardReady");
  dir = await mkdtemp(join(tmpdir(), "webencode-dashboard-split-"));
  await chmod(dir, 0o755);
  await mkdir(join(dir, "media"));
  await makeClip(join(dir, "media", "twelve.mp4"), { seconds: 12, width: 320, height: 240 });
  platform = await startPlatform(join(dir, "data"), join(dir, "media"), {
    WEBENCODE_WORKERS: "2",
    WEBENCODE_SEGMENT_SECONDS: "2:4:6",
  });
  dashboard = await openDashboardBrowser(platform, platform.adminToken!);
  admin = await dashboard.signedIn(platform.adminToken!);
  // split planning counts healthy workers: wait until both have proven their encoders
  for (const deadline = Date.now() + 60_000; ; ) {
    const { workers } = await dashboard.api<{ workers: { status: string }[] }>("GET", "/v1/workers");
    if (workers.filter((w) => w.status === "online").length >= 2) break;
    if (Date.now() > deadline) throw new Error(`two workers never came online:\n${platform.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}, 300_000);

afterAll(async () => {
  await dashboard?.close();
  await platform?.kill();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("a split job on the dashboard", () => {
  it("shows its chunks, audio and stitch with their kinds and follows it to 100 % without a reload", async () => {
    ({ id: jobId } = await dashboard.api<{ id: string }>("POST", "/v1/jobs", {
      source_url: "fs://twelve.mp4",
      profile: "480p_fast",
    }));
    const page = await admin.newPage();
    await page.goto(`${platform.url}/jobs/${jobId}`);
    await page.getByTestId("job-progress").waitFor();
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
    expect([...seen].some((text) => text !== "100 %")).toBe(true);
    expect(await page.evaluate(() => (globalThis as unknown as BrowserGlobals).noReload)).toBe(true);

    const job = await dashboard.api<JobDetail>("GET", `/v1/jobs/${jobId}`);
    expect(job.status).toBe("completed");
    const chunks = job.tasks.filter((task) => task.kind === "video");
    expect(chunks.length).toBeGreaterThanOrEqual(2);
    expect(job.tasks.filter((task) => task.kind === "audio")).toHaveLength(1);
    expect(job.tasks.filter((task) => task.kind === "stitch")).toHaveLength(1);
    // every task is a row of its kind, named in words, with the worker that ran it linked
    for (const task of job.tasks) {
      const row = page.locator(`tr[data-task-id="${task.id}"]`);
      expect(await row.getAttribute("data-task-kind")).toBe(task.kind);
      const word = {
        video: "Video",
        audio: "Audio",
        stitch: "Stitch",
        thumbnails: "Thumbnails",
        subtitles: "Subtitles",
        package: "Package",
      }[task.kind];
      await row.getByRole("cell", { name: word, exact: true }).waitFor();
      await row.locator('[data-status="completed"]').waitFor();
      expect(task.worker_id).not.toBeNull();
      const link = row.getByRole("link", { name: `Details of ${task.worker_id}` });
      expect(await link.getAttribute("href")).toBe(`/workers/${encodeURIComponent(task.worker_id!)}`);
      // whole, so that two workers of one process (same host-and-run prefix) read apart
      expect(await link.textContent()).toBe(task.worker_id);
    }
    // both workers took chunks, and the page says which
    expect(new Set(chunks.map((task) => task.worker_id)).size).toBe(2);
    await page.close();
  });

  it("shows each seam's SSIM and delta from the stitch, marking a seam that may show", async () => {
    const job = await dashboard.api<JobDetail>("GET", `/v1/jobs/${jobId}`);
    const stitch = job.stitch!;
    expect(stitch).not.toBeNull();
    expect(stitch.seams_unmeasured).toBeNull();
    expect(stitch.seams).toHaveLength(job.tasks.filter((task) => task.kind === "video").length - 1);

    const page = await admin.newPage();
    await page.goto(`${platform.url}/jobs/${jobId}`);
    const card = page.getByTestId("seams");
    await card.waitFor();
    await page.getByText(`${stitch.frame_count} frames verified`).waitFor();
    expect(await card.locator("tbody tr").count()).toBe(stitch.seams.length);
    for (const seam of stitch.seams) {
      const row = card.locator(`tr[data-seam-index="${seam.index}"]`);
      expect(await row.getByTestId("seam-ssim").textContent()).toBe(seam.ssim.toFixed(5));
      expect(await row.getByTestId("seam-delta").textContent()).toBe(seam.delta.toFixed(5));
      const shows = seam.delta < SEAM_DELTA_LIMIT;
      expect(await row.getAttribute("data-flagged")).toBe(String(shows));
      // said in words, not by colour alone
      await row.getByText(shows ? "May show" : "Within goal", { exact: true }).waitFor();
    }
    const marked = stitch.seams.filter((seam) => seam.delta < SEAM_DELTA_LIMIT).length;
    await page
      .getByText("Seams that may show")
      .locator("xpath=..")
      .getByText(String(marked), { exact: true })
      .waitFor();
    // the seams are announced with the rule they are judged by
    const described = await card.locator("table").getAttribute("aria-describedby");
    expect(await page.locator(`#${described}`).textContent()).toContain("0.005");

    await page.getByRole("heading", { name: "Tasks", exact: true }).scrollIntoViewIfNeeded();
    await dashboard.shot(page, "job-split", { fullPage: true });
    await page.close();
  });

  it("has no serious or critical accessibility violations on the split job's page, light or dark", async () => {
    const page = await admin.newPage();
    const found: Record<string, string[]> = {};
    for (const theme of ["light", "dark"]) {
      await page.goto(`${platform.url}/dashboard`);
      await page.evaluate(
        (t) => (globalThis as unknown as BrowserGlobals).localStorage.setItem("webencode.theme", t),
        theme,
      );
      await page.goto(`${platform.url}/jobs/${jobId}`);
      await page.getByTestId("seams").waitFor();
      await page.getByTestId("timeline-position").waitFor();
      expect((await page.locator("html").getAttribute("class")) ?? "").toSatisfy((c: string) =>
        theme === "dark" ? c.includes("dark") : !c.includes("dark"),
      );
      found[theme] = await dashboard.seriousViolations(page);
    }
    await page.evaluate(() =>
      (globalThis as unknown as BrowserGlobals).localStorage.setItem("webencode.theme", "light"),
    );
    await page.close();
    expect(Object.fromEntries(Object.entries(found).filter(([, v]) => v.length > 0))).toEqual({});
  });

  it("shows the stitch and its seams in Japanese under /ja/", async () => {
    const page = await admin.newPage();
    await page.goto(`${platform.url}/ja/jobs/${jobId}`);
    await page.getByText("結合とつなぎ目").waitFor();
    expect(await page.locator("html").getAttribute("lang")).toBe("ja");
    const card = page.getByTestId("seams");
    await card.getByRole("columnheader", { name: "つなぎ目", exact: true }).waitFor();
    await card.getByRole("columnheader", { name: "判定" }).waitFor();
    expect(await page.getByText("目立つ可能性のあるつなぎ目").count()).toBe(1);
    expect(await page.getByText("Stitch and seams").count()).toBe(0);
    await page.close();
  });
});
