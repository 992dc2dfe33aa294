// The dashboard in chromium against a kernel in this process: the gzipped JavaScript /dashboard loads
// before its first render (the charts' chunk follows it and is counted apart), and the time to first
// render of /jobs and of its API call with an empty read model, then with 10,000 jobs in it, same run.
// Usage: npm run bench -- dashboard [runs] [jobs]
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os, { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { type BrowserContext, chromium } from "playwright-core";
import { ensureDashboardBuild } from "../infra/platform/dashboardBuild.ts";
import { openDatabase } from "../infra/platform/openDatabase.ts";
import { loadConfig } from "../infra/platform/platformConfig.ts";
import { startKernel } from "../infra/platform/startKernel.ts";
import { createMemoryProgressBus } from "../infra/progress/memoryProgressBus.ts";
import { createMemoryWorkQueue } from "../infra/queue/memory/memoryWorkQueue.ts";
import { generateJobHistories } from "../test/support/jobHistories.ts";
import { round } from "./benchDatabase.ts";

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

interface PageTiming {
  /** Navigation start to the first rows (or the empty list's note) in the DOM. */
  renderMs: number;
  /** The list's GET /v1/jobs, request to last byte, as the browser timed it. */
  apiMs: number;
}

// runs in the page before its scripts: notes when the jobs list first shows what the API answered
const WATCH_FIRST_RENDER = `
  new MutationObserver((_, observer) => {
    if (document.querySelector("tbody tr[data-job-id]") || document.querySelector("main p.p-8")) {
      window.__firstRender = performance.now();
      observer.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });`;

async function timeJobsPage(context: BrowserContext, url: string): Promise<PageTiming> {
  const page = await context.newPage();
  try {
    await page.addInitScript(WATCH_FIRST_RENDER);
    await page.goto(`${url}/jobs`);
    await page.waitForFunction(() => (globalThis as unknown as { __firstRender?: number }).__firstRender);
    return await page.evaluate(() => {
      const g = globalThis as unknown as {
        __firstRender: number;
        performance: { getEntriesByType(type: string): Array<{ name: string; duration: number }> };
      };
      const call = g.performance
        .getEntriesByType("resource")
        .find((entry) => new URL(entry.name).pathname === "/v1/jobs");
      return { renderMs: g.__firstRender, apiMs: call?.duration ?? Number.NaN };
    });
  } finally {
    await page.close();
  }
}

async function timeJobsPageRuns(context: BrowserContext, url: string, runs: number) {
  for (let i = 0; i < 2; i++) await timeJobsPage(context, url); // warm caches and the JIT
  const timings: PageTiming[] = [];
  for (let i = 0; i < runs; i++) timings.push(await timeJobsPage(context, url));
  return {
    renderMs: median(timings.map((t) => t.renderMs)),
    apiMs: median(timings.map((t) => t.apiMs)),
  };
}

/**
 * The page's GET /v1/jobs sent alone, one after another, from Node: the API's own time, without the
 * browser's page load around it (the browser's figure swings by tens of ms on a busy machine).
 */
async function timeJobsApi(url: string, token: string, runs: number): Promise<number> {
  const headers = { authorization: `Bearer ${token}` };
  const once = async () => {
    const started = performance.now();
    await (await fetch(`${url}/v1/jobs?limit=20&offset=0`, { headers })).arrayBuffer();
    return performance.now() - started;
  };
  for (let i = 0; i < 5; i++) await once();
  const times: number[] = [];
  for (let i = 0; i < runs * 5; i++) times.push(await once());
  return median(times);
}

/** Milliseconds until /ready shows every processor at `head` at least; throws after `timeoutMs`. */
async function allProcessorsCaughtUp(url: string, head: number, timeoutMs: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    const ready = (await (await fetch(`${url}/ready`)).json()) as {
      checks: { processors?: { detail?: { processors?: Array<{ position: number }> } } };
    };
    const processors = ready.checks.processors?.detail?.processors ?? [];
    if (processors.length > 0 && processors.every((p) => p.position >= head)) {
      return performance.now() - started;
    }
    if (performance.now() - started > timeoutMs) throw new Error("the processors did not catch up");
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Gzipped KB of the scripts /dashboard loads: before its first render, and the charts' chunk after. */
async function dashboardScripts(context: BrowserContext, url: string) {
  const page = await context.newPage();
  const initial: Promise<number>[] = [];
  const charts: Promise<number>[] = [];
  page.on("response", (response) => {
    if (response.request().resourceType() !== "script") return;
    const into = /\/JobCharts-[^/]+\.js$/.test(response.url()) ? charts : initial;
    into.push(response.body().then((body) => gzipSync(body).length));
  });
  await page.goto(`${url}/dashboard`);
  await page.getByRole("heading", { name: "Recent jobs" }).waitFor();
  await page.locator("svg.recharts-surface").first().waitFor();
  await page.waitForLoadState("networkidle");
  const sum = async (sizes: Promise<number>[]) =>
    (await Promise.all(sizes)).reduce((a, b) => a + b, 0) / 1024;
  const figures = { initialKb: await sum(initial), chartsKb: await sum(charts), scripts: initial.length };
  await page.close();
  return figures;
}

export async function run(args: string[]): Promise<number> {
  const runs = Number(args[0] ?? 10);
  const jobCount = Number(args[1] ?? 10_000);
  const build = await ensureDashboardBuild();
  if (build._tag !== "DashboardReady") throw new Error(`dashboard build: ${JSON.stringify(build)}`);
  const dir = await mkdtemp(join(tmpdir(), "webencode-bench-dashboard-"));
  await chmod(dir, 0o755);
  const config = loadConfig({ port: "0", data: join(dir, "data"), "media-dir": join(dir, "media") }, {});
  const db = await openDatabase({ dataDir: config.dataDir });
  const queue = createMemoryWorkQueue();
  const bus = createMemoryProgressBus();
  const kernel = await startKernel(config, db, queue, bus, () => {});
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  try {
    const issued = await kernel.tokens.issue(
      { name: "bench", role: "viewer" },
      { userId: "system", role: "system" },
    );
    if (issued._tag !== "Issued") throw new Error(issued._tag);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const signIn = await context.request.post(`${kernel.url}/v1/auth/session`, {
      data: { token: issued.token },
    });
    if (!signIn.ok()) throw new Error(`sign-in: ${signIn.status()} ${await signIn.text()}`);

    const scripts = await dashboardScripts(context, kernel.url);
    const empty = await timeJobsPageRuns(context, kernel.url, runs);
    const emptyServer = await timeJobsApi(kernel.url, issued.token, runs);
    console.error(
      `empty read model: /jobs ${round(empty.renderMs)} ms, its API call ${round(empty.apiMs, 1)} ms`,
    );

    const seeding = performance.now();
    for (const history of generateJobHistories(jobCount, 42)) {
      await db.store.append(history.streamId, history.events, { expected: "no_stream" });
    }
    const head = await db.store.headPosition();
    const headers = { authorization: `Bearer ${issued.token}` };
    // min_position waits (≤ 2 s) for the read models, and says when they still lag
    for (;;) {
      const response = await fetch(`${kernel.url}/v1/jobs?limit=1&min_position=${head}`, { headers });
      if (response.ok && response.headers.get("x-webencode-stale") !== "true") break;
    }
    const { pagination } = (await (await fetch(`${kernel.url}/v1/jobs?limit=1`, { headers })).json()) as {
      pagination: { total: number };
    };
    console.error(
      `${jobCount} jobs (${pagination.total} not deleted) in the read model after ${round((performance.now() - seeding) / 1000, 1)} s`,
    );
    // every reactor and projector reads the new events too: time the list once the kernel has caught
    // up, so the figure is the read path's, not that of a process still busy with the backlog
    const caughtUpAfter = await allProcessorsCaughtUp(kernel.url, head, 600_000);
    console.error(`reactors and projectors caught up ${round(caughtUpAfter / 1000, 1)} s after seeding`);
    await new Promise((r) => setTimeout(r, 3_000));

    const full = await timeJobsPageRuns(context, kernel.url, runs);
    const fullServer = await timeJobsApi(kernel.url, issued.token, runs);
    const figures = {
      initial_js_gz_kb: round(scripts.initialKb, 1),
      charts_js_gz_kb: round(scripts.chartsKb, 1),
      jobs_page_ms: round(full.renderMs),
      jobs_page_ms_empty: round(empty.renderMs),
      jobs_page_ratio_10k_to_empty: round(full.renderMs / empty.renderMs, 2),
      jobs_api_ms: round(full.apiMs, 1),
      jobs_api_ms_empty: round(empty.apiMs, 1),
      jobs_api_ratio_10k_to_empty: round(full.apiMs / empty.apiMs, 2),
      jobs_api_server_ms: round(fullServer, 1),
      jobs_api_server_ms_empty: round(emptyServer, 1),
      jobs_api_server_ratio_10k_to_empty: round(fullServer / emptyServer, 2),
      jobs: jobCount,
      runs,
    };
    console.log(`dashboard in chromium, ${os.cpus().length} cores, medians of ${runs} loads:`);
    console.log(
      `  /dashboard JavaScript, gzipped   ${figures.initial_js_gz_kb} KB before first render (${scripts.scripts} scripts), charts ${figures.charts_js_gz_kb} KB after`,
    );
    console.log(
      `  /jobs first render               ${figures.jobs_page_ms_empty} ms empty, ${figures.jobs_page_ms} ms with ${jobCount} jobs (${figures.jobs_page_ratio_10k_to_empty}×)`,
    );
    console.log(
      `  its GET /v1/jobs                 ${figures.jobs_api_ms_empty} ms empty, ${figures.jobs_api_ms} ms with ${jobCount} jobs (${figures.jobs_api_ratio_10k_to_empty}×)`,
    );
    console.log(
      `  the same call alone, from Node   ${figures.jobs_api_server_ms_empty} ms empty, ${figures.jobs_api_server_ms} ms with ${jobCount} jobs (${figures.jobs_api_server_ratio_10k_to_empty}×)`,
    );
    console.log(JSON.stringify(figures));
    return 0;
  } finally {
    await browser.close();
    await kernel.stop();
    await queue.close();
    await bus.close();
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}
