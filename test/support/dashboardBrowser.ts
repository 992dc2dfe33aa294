// A chromium beside a running platform, for the dashboard's end-to-end tests: the admin's API calls,
// signed-in browser contexts, axe-core's serious findings and screenshots into docs/screenshots/.
import { mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { expect } from "vitest";
import type { PlatformProcess } from "./platformProcess.ts";

/** What page scripts see (no closures reach them); the tests themselves are typed for Node. */
export interface BrowserGlobals {
  document: { cookie: string };
  localStorage: Record<string, string> & { setItem(key: string, value: string): void };
  noReload?: boolean;
}

export interface DashboardBrowser {
  browser: Browser;
  /** The API as the platform's admin; fails the test on an answer that is not 2xx. */
  api<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** A browser context signed in with `token` through the sign-in page. */
  signedIn(token: string): Promise<BrowserContext>;
  /** axe-core's serious and critical findings on the page as it is now. */
  seriousViolations(page: Page): Promise<string[]>;
  /** Saves what the viewport shows (or the whole page) as docs/screenshots/<name>.png. */
  shot(page: Page, name: string, options?: { fullPage?: boolean }): Promise<Buffer>;
  close(): Promise<void>;
}

const SCREENSHOTS = fileURLToPath(new URL("../../docs/screenshots/", import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

export async function openDashboardBrowser(
  platform: PlatformProcess,
  adminToken: string,
): Promise<DashboardBrowser> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  return {
    browser,
    async api<T>(method: string, path: string, body?: unknown): Promise<T> {
      const response = await fetch(`${platform.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${adminToken}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      expect(response.ok, `${method} ${path}: ${response.status}`).toBe(true);
      return (await response.json()) as T;
    },
    async signedIn(token: string): Promise<BrowserContext> {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await page.goto(`${platform.url}/sign-in`);
      await page.getByLabel("API token").fill(token);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(/\/dashboard$/);
      await page.close();
      return context;
    },
    async seriousViolations(page: Page): Promise<string[]> {
      await page.addScriptTag({ path: AXE });
      const violations = await page.evaluate(async () => {
        const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } })
          .axe;
        return (await axe.run()).violations;
      });
      return violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
    },
    shot: (page, name, options = {}) =>
      page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: options.fullPage ?? false }),
    close: () => browser.close(),
  };
}
