// The profile editor in a real browser against `webencode up`: an admin creates a profile with two
// ladder tiers, sees the API's validation message beside the field it names, reorders the tiers to fix
// it and saves; edits it again (a tier disabled); a viewer sees the list without any edit action.
import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDashboardBuild } from "../../infra/platform/dashboardBuild.ts";
import type { ProfileDetail } from "../../schemas/api/profileResponses.ts";
import {
  type BrowserGlobals,
  type DashboardBrowser,
  openDashboardBrowser,
} from "../support/dashboardBrowser.ts";
import { type PlatformProcess, startPlatform } from "../support/platformProcess.ts";

let dir: string;
let platform: PlatformProcess;
let dashboard: DashboardBrowser;
let admin: BrowserContext;
let viewer: BrowserContext;

beforeAll(async () => {
  const build = await ensureDashboardBuild();
  expect(build._tag).toBe("DashboardReady");
  dir = await mkdtemp(join(tmpdir(), "webencode-dashboard-profiles-"));
  await chmod(dir, 0o755);
  await mkdir(join(dir, "media"));
  await mkdir(join(dir, "data"));
  platform = await startPlatform(join(dir, "data"), join(dir, "media"));
  dashboard = await openDashboardBrowser(platform, platform.adminToken!);
  admin = await dashboard.signedIn(platform.adminToken!);
  const { token } = await dashboard.api<{ token: string }>("POST", "/v1/tokens", {
    name: "watcher",
    role: "viewer",
  });
  viewer = await dashboard.signedIn(token);
}, 300_000);

afterAll(async () => {
  await dashboard?.close();
  await platform?.kill();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the profile editor", () => {
  it("creates a two-tier profile: a validation error beside its field, fixed by reordering the tiers, then saved", async () => {
    const page = await admin.newPage();
    await page.goto(`${platform.url}/settings/profiles`);
    await page.locator('tr[data-profile-id="hls_abr_3tier"]').waitFor();
    await page.getByRole("button", { name: "New profile" }).click();

    await page.getByLabel("Profile id").fill("web_ladder");
    await page.getByLabel("Name", { exact: true }).fill("Web ladder");
    await page.getByLabel("Description").fill("Two tiers for the web site");
    await page.getByLabel("Video codec").selectOption("h264");
    await page.getByLabel("HLS").check();
    await page.getByLabel("DASH").check();
    await page.getByRole("button", { name: "Add tier" }).click();
    await page.getByRole("button", { name: "Add tier" }).click();
    // the smaller tier first: the ladder must go top first
    await page.getByRole("button", { name: "Move tier 720p down" }).click();
    await page.getByRole("button", { name: "Save" }).click();

    const issue = page.locator('[data-issue="ladder.1.max_height"]');
    await issue.waitFor();
    expect(await issue.textContent()).toContain("tiers go top first");
    expect(await page.locator('[data-field="ladder.1.max_height"] input').getAttribute("aria-invalid")).toBe(
      "true",
    );
    await dashboard.shot(page, "profiles-validation", { fullPage: true });

    await page.getByRole("button", { name: "Move tier 720p up" }).click();
    await page.getByRole("button", { name: "Save" }).click();
    const row = page.locator('tr[data-profile-id="web_ladder"]');
    await row.waitFor();
    expect(await row.getByTestId("tier-count").textContent()).toBe("2");

    const saved = await dashboard.api<ProfileDetail>("GET", "/v1/profiles/web_ladder");
    expect(saved).toMatchObject({
      name: "Web ladder",
      description: "Two tiers for the web site",
      packaging: { hls: true, dash: true, segment_sec: 6 },
      built_in: false,
    });
    expect(saved.ladder.map((tier) => [tier.name, tier.max_height, tier.enabled])).toEqual([
      ["720p", 720, true],
      ["480p", 480, true],
    ]);
    await page.close();
  });

  it("edits the profile: a tier disabled and the order kept, saved at the revision it read", async () => {
    const page = await admin.newPage();
    await page.goto(`${platform.url}/settings/profiles`);
    await page.getByRole("button", { name: "Edit Web ladder" }).click();
    await page.getByRole("heading", { name: "Edit web_ladder" }).waitFor();
    await page.locator('[data-tier="1"]').getByLabel("Enabled").uncheck();
    await page.getByLabel("Bitrate (kbps)").first().fill("2600");
    await page.getByLabel("Maxrate (kbps)").first().fill("2900");
    await dashboard.shot(page, "profile-editor", { fullPage: true });
    await page.getByRole("button", { name: "Save" }).click();
    await page.locator('tr[data-profile-id="web_ladder"]').waitFor();
    await dashboard.shot(page, "profiles");

    const saved = await dashboard.api<ProfileDetail>("GET", "/v1/profiles/web_ladder");
    expect(saved.revision).toBe(1);
    expect(saved.video).toMatchObject({ bitrate_kbps: 2600, maxrate_kbps: 2900 });
    expect(saved.ladder.map((tier) => tier.enabled)).toEqual([true, false]);
    await page.close();
  });

  it("duplicates and deletes a profile", async () => {
    const page = await admin.newPage();
    await page.goto(`${platform.url}/settings/profiles`);
    await page.getByRole("button", { name: "Duplicate Web ladder" }).click();
    expect(await page.getByLabel("Profile id").inputValue()).toBe("web_ladder_copy");
    expect(await page.getByLabel("Name", { exact: true }).inputValue()).toBe("Web ladder (copy)");
    await page.getByRole("button", { name: "Save" }).click();
    const copy = page.locator('tr[data-profile-id="web_ladder_copy"]');
    await copy.waitFor();
    await page.getByRole("button", { name: "Delete Web ladder (copy)" }).click();
    await copy.waitFor({ state: "detached" });
    await page.close();
  });

  it("has no serious or critical accessibility violations in the list or the editor, light or dark", async () => {
    const page = await admin.newPage();
    const found: Record<string, string[]> = {};
    for (const theme of ["light", "dark"]) {
      await page.goto(`${platform.url}/dashboard`);
      await page.evaluate(
        (t) => (globalThis as unknown as BrowserGlobals).localStorage.setItem("webencode.theme", t),
        theme,
      );
      await page.goto(`${platform.url}/settings/profiles`);
      await page.locator('tr[data-profile-id="web_ladder"]').waitFor();
      found[`list (${theme})`] = await dashboard.seriousViolations(page);
      await page.getByRole("button", { name: "Edit Web ladder" }).click();
      await page.locator('[data-tier="1"]').waitFor();
      await page.getByLabel("Maxrate (kbps)").first().fill("100");
      await page.getByRole("button", { name: "Save" }).click();
      await page.locator('[data-issue="video.maxrate_kbps"]').waitFor();
      found[`editor with an error (${theme})`] = await dashboard.seriousViolations(page);
    }
    await page.evaluate(() =>
      (globalThis as unknown as BrowserGlobals).localStorage.setItem("webencode.theme", "light"),
    );
    await page.close();
    expect(Object.fromEntries(Object.entries(found).filter(([, v]) => v.length > 0))).toEqual({});
  });

  it("shows a viewer the profiles without any edit action", async () => {
    const page = await viewer.newPage();
    await page.goto(`${platform.url}/settings/profiles`);
    await page.locator('tr[data-profile-id="web_ladder"]').waitFor();
    expect(await page.getByRole("button", { name: /New profile|Edit |Duplicate |Delete / }).count()).toBe(0);
    expect(await dashboard.seriousViolations(page)).toEqual([]);
    await page.close();
  });
});
