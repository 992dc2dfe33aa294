// Where the embedded cluster of a data directory lives, for a database user other than ourselves (as
// when we run as root). The whole platform from a private directory is proven in infra/cli/up.int.test.ts.
import { chmod, mkdir, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { databaseUserIds } from "../postgres/embeddedPostgres.ts";
import { clusterLocation, clusterRecordFile } from "./clusterLocation.ts";

const root = process.getuid?.() === 0;
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-cluster-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.runIf(root)("cluster location (as root)", () => {
  it("stays inside a data directory the database's user can reach", async () => {
    await chmod(dir, 0o755);
    const dataRoot = join(dir, "data");
    await mkdir(dataRoot);
    const location = await clusterLocation(dataRoot, {
      runAs: databaseUserIds(),
      clusterHome: join(dir, "home"),
    });
    expect(location).toEqual({ dir: join(dataRoot, "postgres"), inDataDir: true });
  });

  it("moves out of a private one, records where, and keeps that place when the directory moves", async () => {
    await chmod(dir, 0o755);
    const parent = join(dir, "private");
    await mkdir(parent, { mode: 0o700 });
    const dataRoot = join(parent, ".data");
    await mkdir(dataRoot);
    const clusterHome = join(dir, "home");
    const runAs = databaseUserIds();
    const notices: string[] = [];
    const first = await clusterLocation(dataRoot, { runAs, clusterHome, onNotice: (m) => notices.push(m) });
    expect(first.inDataDir).toBe(false);
    expect(first.dir).toMatch(new RegExp(`^${clusterHome}/data-[0-9a-f]{12}$`));
    expect((await readFile(clusterRecordFile(dataRoot), "utf8")).trim()).toBe(first.dir);
    expect(notices.join()).toContain(first.dir);
    expect(await clusterLocation(dataRoot, { runAs, clusterHome })).toEqual(first);

    const moved = join(parent, "moved");
    await rename(dataRoot, moved);
    expect((await clusterLocation(moved, { runAs, clusterHome })).dir).toBe(first.dir);
    // a new data directory at the old path gets a cluster of its own
    await mkdir(dataRoot);
    expect((await clusterLocation(dataRoot, { runAs, clusterHome })).dir).not.toBe(first.dir);
  });

  it("refuses a record that does not name an absolute directory", async () => {
    await writeFile(clusterRecordFile(dir), "relative/place\n");
    await expect(clusterLocation(dir, { runAs: databaseUserIds() })).rejects.toThrow(/absolute/);
  });
});

describe("cluster location (as the database's own user)", () => {
  it("is always inside the data directory", async () => {
    expect(await clusterLocation(join(dir, "data"))).toEqual({
      dir: join(dir, "data", "postgres"),
      inDataDir: true,
    });
  });
});
