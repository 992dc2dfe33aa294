// Where the embedded cluster of a data directory lives: in `<data>/postgres`, unless the database's own
// user (as root we run it as `postgres`) cannot reach the data directory, e.g. one under /root or a
// private temp folder. Then it lives in a folder of its own under a system place that survives reboots,
// and that place is recorded in the data directory, which stays the one thing a user names.

import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile } from "node:fs/promises";
import { basename, dirname, isAbsolute, join } from "node:path";
import { writeWholeFile } from "./writeWholeFile.ts";

export const DEFAULT_CLUSTER_HOME = "/var/lib/webencode";

/** The file in a data directory that names where its cluster lives, when not inside it. */
export const clusterRecordFile = (dataRoot: string) => join(dataRoot, "postgres.location");

export interface ClusterLocation {
  dir: string;
  /** The cluster lies inside the data directory: the database's user must be able to pass through it. */
  inDataDir: boolean;
}

export interface ClusterLocationOptions {
  /** The user the cluster runs as, when not ourselves (we run as root). */
  runAs?: { uid: number; gid: number };
  /** Where clusters the data directory cannot hold are kept. Default /var/lib/webencode. */
  clusterHome?: string;
  onNotice?: (message: string) => void;
}

export async function clusterLocation(
  dataRoot: string,
  options: ClusterLocationOptions = {},
): Promise<ClusterLocation> {
  const record = clusterRecordFile(dataRoot);
  const recorded = existsSync(record) ? (await readFile(record, "utf8")).trim() : "";
  if (recorded !== "") {
    if (!isAbsolute(recorded)) throw new Error(`${record} must name an absolute directory, not ${recorded}`);
    return { dir: recorded, inDataDir: false };
  }
  const inside = join(dataRoot, "postgres");
  const { runAs } = options;
  if (!runAs || existsSync(join(inside, "PG_VERSION")) || canPass(dirname(dataRoot), runAs)) {
    return { dir: inside, inDataDir: true };
  }
  const home = options.clusterHome ?? DEFAULT_CLUSTER_HOME;
  await mkdir(home, { recursive: true });
  await chmod(home, 0o711); // others may pass through to their own cluster, never list the others
  if (!canPass(home, runAs)) {
    throw new Error(
      `The database runs as the postgres user, which can reach neither ${dataRoot} nor ${home}: choose a data directory it can reach`,
    );
  }
  // random, not derived from the path: a data directory moved elsewhere keeps its own cluster, and a new
  // one at the old path never finds it
  const label =
    basename(dataRoot)
      .replace(/[^A-Za-z0-9_.-]/g, "_")
      .replace(/^\.+/, "") || "data";
  const name = `${label}-${randomBytes(6).toString("hex")}`;
  const dir = join(home, name);
  await writeWholeFile(record, `${dir}\n`, { mode: 0o600 });
  options.onNotice?.(
    `the database's user cannot reach ${dataRoot}: its cluster lives in ${dir} (recorded in ${record})`,
  );
  return { dir, inDataDir: false };
}

/** The user may pass through `dir`, and so through every directory above it. */
function canPass(dir: string, user: { uid: number; gid: number }): boolean {
  try {
    execFileSync("test", ["-x", dir], { ...user, stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
