import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { dashboardSourceHash, ensureDashboardBuild } from "./dashboardBuild.ts";

let root: string;
let web: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "dashboard-build-"));
  web = join(root, "web");
  await mkdir(join(web, "app"), { recursive: true });
  await writeFile(join(root, "package.json"), "{}");
  await writeFile(join(root, "bun.lock"), "lock v1");
  await writeFile(join(web, "react-router.config.ts"), "export default {};");
  await writeFile(join(web, "app", "root.tsx"), "export default 1;");
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe("dashboard build", () => {
  it("hashes the sources and the lockfile, not what a build leaves behind", async () => {
    const first = await dashboardSourceHash(web);
    await mkdir(join(web, "build", "client"), { recursive: true });
    await writeFile(join(web, "build", "client", "index.html"), "built");
    await mkdir(join(web, ".react-router"), { recursive: true });
    await writeFile(join(web, ".react-router", "types.ts"), "generated");
    expect(await dashboardSourceHash(web)).toBe(first);
    await writeFile(join(web, "app", "root.tsx"), "export default 2;");
    const edited = await dashboardSourceHash(web);
    expect(edited).not.toBe(first);
    await writeFile(join(root, "bun.lock"), "lock v2");
    expect(await dashboardSourceHash(web)).not.toBe(edited);
  });

  it("does not build again when the build was made from these sources", async () => {
    await mkdir(join(web, "build", "client"), { recursive: true });
    await writeFile(join(web, "build", ".source-hash"), `${await dashboardSourceHash(web)}\n`);
    const started = Date.now();
    expect(await ensureDashboardBuild({ webDir: web })).toEqual({
      _tag: "DashboardReady",
      clientDir: join(web, "build", "client"),
      built: false,
    });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("waits for another process's build of the same sources instead of building twice", async () => {
    await mkdir(join(web, ".build-lock"));
    await writeFile(join(web, ".build-lock", "pid"), String(process.pid));
    const waiting = ensureDashboardBuild({ webDir: web });
    await new Promise((r) => setTimeout(r, 700));
    // the other process finishes: its build and hash appear, its lock goes
    await mkdir(join(web, "build", "client"), { recursive: true });
    await writeFile(join(web, "build", ".source-hash"), await dashboardSourceHash(web));
    await rm(join(web, ".build-lock"), { recursive: true });
    expect(await waiting).toMatchObject({ _tag: "DashboardReady", built: false });
  });

  it("says why there is no dashboard when its sources are missing", async () => {
    await rm(join(web, "react-router.config.ts"));
    expect((await ensureDashboardBuild({ webDir: web }))._tag).toBe("DashboardUnavailable");
  });
});
