// Each running ffmpeg leaves a record in <stateDir>/ffmpeg-pids/, so that after a worker is killed
// with -9 the next start can find its ffmpeg (reapOrphans) without ever killing a recycled pid.
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { readProcessStat } from "./readProcessStat.ts";

export interface FfmpegPidRecord {
  readonly pid: number;
  /** From /proc/<pid>/stat; null where /proc is missing (then the record is never acted on). */
  readonly startTime: string | null;
  /** The worker process that started it; while that one lives, the ffmpeg is not an orphan. */
  readonly ownerPid: number;
  readonly ownerStartTime: string | null;
  readonly partialPath: string;
  readonly attemptId: string;
  readonly startedAt: string;
}

export function pidDirectory(stateDir: string): string {
  return join(stateDir, "ffmpeg-pids");
}

/** Writes the record for a just-spawned ffmpeg; the returned function removes it. */
export async function recordFfmpegPid(
  stateDir: string,
  entry: { readonly pid: number; readonly partialPath: string; readonly attemptId: string },
): Promise<() => Promise<void>> {
  const dir = pidDirectory(stateDir);
  await mkdir(dir, { recursive: true });
  const record: FfmpegPidRecord = {
    pid: entry.pid,
    startTime: (await readProcessStat(entry.pid))?.startTime ?? null,
    ownerPid: process.pid,
    ownerStartTime: (await readProcessStat(process.pid))?.startTime ?? null,
    partialPath: entry.partialPath,
    attemptId: entry.attemptId,
    startedAt: new Date().toISOString(),
  };
  const path = join(dir, `${entry.pid}.json`);
  // Written whole then renamed, so a reaper never reads half a record.
  await writeFile(`${path}.tmp`, JSON.stringify(record));
  await rename(`${path}.tmp`, path);
  return () => rm(path, { force: true });
}
