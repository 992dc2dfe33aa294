// CPU time and resident memory of a process and everything it started (Linux /proc), for benchmarks
// that measure a platform together with the ffmpeg processes it runs.
import { readdir, readFile } from "node:fs/promises";

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

export interface TreeUsage {
  /** User + system CPU seconds of the processes alive now, since each started. */
  readonly cpuSeconds: ReadonlyMap<number, number>;
  /** Resident memory, shared pages shared out (PSS) where the system tells it. */
  readonly rssBytes: number;
}

interface Stat {
  readonly ppid: number;
  readonly cpuSeconds: number;
  readonly rssBytes: number;
}

async function statOf(pid: number): Promise<Stat | null> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, "utf8");
    // the command name (field 2) may hold spaces: fields after the last ")"
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return {
      ppid: Number(fields[1]),
      cpuSeconds: ticks / TICKS_PER_SECOND,
      rssBytes: Number(fields[21]) * 4096,
    };
  } catch {
    return null;
  }
}

/**
 * A process's proportional set size: its resident pages, each shared page divided among the processes
 * sharing it — so a database's shared buffers are not counted once per backend.
 */
async function proportionalBytesOf(pid: number): Promise<number | null> {
  try {
    const rollup = await readFile(`/proc/${pid}/smaps_rollup`, "utf8");
    const kib = /^Pss:\s+(\d+) kB/m.exec(rollup)?.[1];
    return kib === undefined ? null : Number(kib) * 1024;
  } catch {
    return null;
  }
}

/** Usage of the processes `roots` and all their descendants now. */
export async function treeUsage(roots: readonly number[]): Promise<TreeUsage> {
  const stats = new Map<number, Stat>();
  for (const entry of await readdir("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = await statOf(pid);
    if (stat !== null) stats.set(pid, stat);
  }
  const inTree = new Set(roots.filter((pid) => stats.has(pid)));
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, stat] of stats)
      if (!inTree.has(pid) && inTree.has(stat.ppid)) {
        inTree.add(pid);
        grew = true;
      }
  }
  const cpuSeconds = new Map<number, number>();
  let rssBytes = 0;
  for (const pid of inTree) {
    const stat = stats.get(pid)!;
    cpuSeconds.set(pid, stat.cpuSeconds);
    rssBytes += (await proportionalBytesOf(pid)) ?? stat.rssBytes;
  }
  return { cpuSeconds, rssBytes };
}

/** CPU seconds spent between two readings by the processes seen in the later one (new ones count whole). */
export function cpuSecondsBetween(before: TreeUsage, after: TreeUsage): number {
  let total = 0;
  for (const [pid, seconds] of after.cpuSeconds) total += seconds - (before.cpuSeconds.get(pid) ?? 0);
  return total;
}
