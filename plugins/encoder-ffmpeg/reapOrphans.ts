// Run at worker start: kills the ffmpeg processes an earlier, dead worker left behind and removes
// their partial outputs. A record is acted on only when its owner is gone and the pid still names
// the very process recorded (same start time), so a live worker's encode or a recycled pid is safe.
import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { readProcessStat } from "./readProcessStat.ts";
import { type FfmpegPidRecord, pidDirectory } from "./recordFfmpegPid.ts";

export interface ReapReport {
  /** Pids of orphaned ffmpeg processes that were killed. */
  readonly killed: readonly number[];
  /** Partial outputs removed (of the killed, and of records whose ffmpeg had already gone). */
  readonly removedPartials: readonly string[];
  /** Records left alone because their worker still runs. */
  readonly liveOwners: number;
}

export async function reapOrphans(
  stateDir: string,
  options: {
    /** Also sweep `*.partial.*` files here that no live encode owns. */
    readonly workDirs?: readonly string[];
  } = {},
): Promise<ReapReport> {
  const killed: number[] = [];
  const removedPartials: string[] = [];
  const livePartials = new Set<string>();
  let liveOwners = 0;
  if ((await readProcessStat(process.pid)) === null) return { killed, removedPartials, liveOwners }; // no /proc

  const dir = pidDirectory(stateDir);
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.endsWith(".json"))) {
    const recordPath = join(dir, name);
    const record = await readRecord(recordPath);
    if (record === null) {
      await rm(recordPath, { force: true });
      continue;
    }
    if (await isSameProcess(record.ownerPid, record.ownerStartTime)) {
      liveOwners++;
      livePartials.add(record.partialPath);
      continue;
    }
    if (await isSameProcess(record.pid, record.startTime)) {
      try {
        process.kill(record.pid, "SIGKILL");
        await waitUntilGone(record.pid, record.startTime);
        killed.push(record.pid);
      } catch {
        // Exited on its own meanwhile, or not ours to signal: nothing left to kill.
      }
    }
    if (await removeFile(record.partialPath)) removedPartials.push(record.partialPath);
    await rm(recordPath, { force: true });
  }

  for (const workDir of options.workDirs ?? []) {
    const files = await readdir(workDir).catch(() => [] as string[]);
    for (const file of files.filter((f) => f.includes(".partial."))) {
      const path = join(workDir, file);
      if (!livePartials.has(path) && (await removeFile(path))) removedPartials.push(path);
    }
  }
  return { killed, removedPartials, liveOwners };
}

async function readRecord(path: string): Promise<FfmpegPidRecord | null> {
  try {
    const value: unknown = JSON.parse(await readFile(path, "utf8"));
    if (typeof value !== "object" || value === null) return null;
    const r = value as Partial<FfmpegPidRecord>;
    return Number.isInteger(r.pid) && Number.isInteger(r.ownerPid) && typeof r.partialPath === "string"
      ? (r as FfmpegPidRecord)
      : null;
  } catch {
    return null;
  }
}

/** Alive (not a zombie) and started at the recorded time. */
async function isSameProcess(pid: number, startTime: string | null): Promise<boolean> {
  if (startTime === null || pid <= 0) return false;
  const stat = await readProcessStat(pid);
  return stat !== null && stat.state !== "Z" && stat.startTime === startTime;
}

async function waitUntilGone(pid: number, startTime: string | null): Promise<void> {
  for (let i = 0; i < 50 && (await isSameProcess(pid, startTime)); i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function removeFile(path: string): Promise<boolean> {
  try {
    await rm(path);
    return true;
  } catch {
    return false;
  }
}
