// A process's start time (clock ticks since boot) and state from /proc/<pid>/stat (Linux). The
// start time tells a live process from a later one that was given the same recycled pid.
import { readFile } from "node:fs/promises";

export interface ProcessStat {
  readonly startTime: string;
  /** R, S, D, Z (zombie: exited, not yet reaped), … */
  readonly state: string;
}

/** null when no such process exists (or /proc is not there). */
export async function readProcessStat(pid: number): Promise<ProcessStat | null> {
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // The command name (field 2) sits in parentheses and may hold spaces or ")": split after the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const state = fields[0];
  const startTime = fields[19];
  return state && startTime ? { startTime, state } : null;
}
