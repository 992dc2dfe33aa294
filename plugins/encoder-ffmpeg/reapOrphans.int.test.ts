import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { type FileHandle, mkdir, mkdtemp, open, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTestClip } from "../../test/support/makeTestClip.ts";
import { builtInProfiles } from "./builtInProfiles.ts";
import { planEncode } from "./planEncode.ts";
import { probeMedia } from "./probeMedia.ts";
import { readProcessStat } from "./readProcessStat.ts";
import { reapOrphans } from "./reapOrphans.ts";
import { type FfmpegPidRecord, pidDirectory } from "./recordFfmpegPid.ts";

let dir: string;
const cleanups: (() => Promise<unknown> | unknown)[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "reap-orphans-"));
});
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await rm(dir, { recursive: true, force: true });
});

const isRunning = async (pid: number) => {
  const stat = await readProcessStat(pid);
  return stat !== null && stat.state !== "Z";
};

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function sleeper(): ChildProcess {
  const child = spawn("sleep", ["60"], { stdio: "ignore" });
  cleanups.push(() => child.kill("SIGKILL"));
  return child;
}

describe("reapOrphans", () => {
  it("kills the ffmpeg a worker killed with -9 left behind, and removes its partial output", async () => {
    const stateDir = join(dir, "state");
    const workDir = join(dir, "work");
    const clip = await makeTestClip(dir, "long.ts", { durationSec: 10, container: "mpegts" });
    const source = await probeMedia(clip, { ffprobePath: "ffprobe" });
    if (source._tag !== "SourceInfo") throw new Error(source.message);
    const plan = planEncode(builtInProfiles["480p_fast"], source);

    // The source: 6 s of media at once (enough for ffmpeg to start writing), then silence, held open.
    const fifoPath = join(dir, "source.fifo");
    execFileSync("mkfifo", [fifoPath]);
    const fifo: Promise<FileHandle> = open(fifoPath, "w");
    cleanups.push(async () => (await fifo).close());

    // A worker process running one encode, exactly as a real worker would.
    const moduleUrl = new URL("./encodeWithFfmpeg.ts", import.meta.url).href;
    const worker = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "--input-type=module",
        "-e",
        `const { encodeWithFfmpeg } = await import(${JSON.stringify(moduleUrl)});
         await encodeWithFfmpeg(JSON.parse(process.env.PLAN), { workDir: process.env.WORK_DIR, attemptId: "orphan" },
           { ffmpegPath: "ffmpeg", ffprobePath: "ffprobe", stateDir: process.env.STATE_DIR });`,
      ],
      {
        cwd: fileURLToPath(new URL("../..", import.meta.url)),
        env: {
          ...process.env,
          PLAN: JSON.stringify({ ...plan, input: { ...plan.input, url: fifoPath } }),
          WORK_DIR: workDir,
          STATE_DIR: stateDir,
        },
        stdio: "ignore",
      },
    );
    cleanups.push(() => worker.kill("SIGKILL"));
    const bytes = await readFile(clip);
    await (await fifo).write(bytes.subarray(0, Math.floor(bytes.length * 0.6)));

    const record = await waitFor("the pid record", async () => {
      const names = await readdir(pidDirectory(stateDir)).catch((): string[] => []);
      const name = names.find((n) => n.endsWith(".json"));
      return name
        ? (JSON.parse(await readFile(join(pidDirectory(stateDir), name), "utf8")) as FfmpegPidRecord)
        : undefined;
    });
    await waitFor("the partial output", async () =>
      (await readdir(workDir).catch((): string[] => [])).includes("orphan.partial.mp4") ? true : undefined,
    );
    cleanups.push(async () => (await isRunning(record.pid)) && process.kill(record.pid, "SIGKILL"));

    worker.kill("SIGKILL");
    await once(worker, "exit");
    expect(record.ownerPid).toBe(worker.pid);
    expect(await isRunning(record.pid)).toBe(true); // the orphan the worker left behind

    const report = await reapOrphans(stateDir, { workDirs: [workDir] });
    expect(report.killed).toEqual([record.pid]);
    expect(await isRunning(record.pid)).toBe(false);
    expect(report.removedPartials).toEqual([join(workDir, "orphan.partial.mp4")]);
    expect(await readdir(workDir)).toEqual([]);
    expect(await readdir(pidDirectory(stateDir))).toEqual([]);
  });

  it("never kills a recycled pid or a live worker's ffmpeg, and sweeps partials nobody owns", async () => {
    const stateDir = join(dir, "state-2");
    const workDir = join(dir, "work-2");
    await mkdir(pidDirectory(stateDir), { recursive: true });
    await mkdir(workDir, { recursive: true });
    const ourStart = (await readProcessStat(process.pid))?.startTime ?? null;
    const gone = spawn("true");
    await once(gone, "exit");

    const write = (name: string, record: FfmpegPidRecord) =>
      writeFile(join(pidDirectory(stateDir), name), JSON.stringify(record));
    const base = { attemptId: "a", startedAt: new Date().toISOString() };

    // The pid now belongs to another process (its start time differs); its owner is dead.
    const recycled = sleeper();
    await write(`${recycled.pid}.json`, {
      ...base,
      pid: recycled.pid ?? 0,
      startTime: "1",
      ownerPid: gone.pid ?? 0,
      ownerStartTime: "1",
      partialPath: join(workDir, "recycled.partial.mp4"),
    });
    await writeFile(join(workDir, "recycled.partial.mp4"), "x");

    // An encode of a worker that is still alive (this very process).
    const live = sleeper();
    await waitFor("the sleeper", async () => (await readProcessStat(live.pid ?? 0)) ?? undefined);
    await write(`${live.pid}.json`, {
      ...base,
      pid: live.pid ?? 0,
      startTime: (await readProcessStat(live.pid ?? 0))?.startTime ?? null,
      ownerPid: process.pid,
      ownerStartTime: ourStart,
      partialPath: join(workDir, "live.partial.mp4"),
    });
    await writeFile(join(workDir, "live.partial.mp4"), "x");

    await writeFile(join(pidDirectory(stateDir), "garbage.json"), "{ not json");
    await writeFile(join(workDir, "stale.partial.mp4"), "x");
    await writeFile(join(workDir, "finished.mp4"), "x");

    const report = await reapOrphans(stateDir, { workDirs: [workDir] });
    expect(report.killed).toEqual([]);
    expect(report.liveOwners).toBe(1);
    expect(await isRunning(recycled.pid ?? 0)).toBe(true);
    expect(await isRunning(live.pid ?? 0)).toBe(true);
    expect(await readdir(pidDirectory(stateDir))).toEqual([`${live.pid}.json`]);
    expect((await readdir(workDir)).sort()).toEqual(["finished.mp4", "live.partial.mp4"]);
    expect([...report.removedPartials].sort()).toEqual(
      [join(workDir, "recycled.partial.mp4"), join(workDir, "stale.partial.mp4")].sort(),
    );
  });
});
