import { execFileSync } from "node:child_process";
import { type FileHandle, mkdtemp, open, readdir, readFile, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { makeTestClip } from "../../test/support/makeTestClip.ts";
import type { EncodePlan, EncodeProgress } from "../sdk/encoderPlugin.ts";
import { builtInProfiles } from "./builtInProfiles.ts";
import { encodeWithFfmpeg, type FfmpegConfig } from "./encodeWithFfmpeg.ts";
import { planEncode } from "./planEncode.ts";
import { probeMedia } from "./probeMedia.ts";
import { readProcessStat } from "./readProcessStat.ts";
import { pidDirectory } from "./recordFfmpegPid.ts";

let dir: string;
let config: FfmpegConfig;
let longClip: string;
const openFifos: FileHandle[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "encode-with-ffmpeg-"));
  config = { ffmpegPath: "ffmpeg", ffprobePath: "ffprobe", stateDir: join(dir, "state") };
  // MPEG-TS reads front to back, so it can be fed through a FIFO at any pace we like.
  longClip = await makeTestClip(dir, "long.ts", { durationSec: 10, container: "mpegts", audio: ["sine"] });
});
afterEach(async () => {
  for (const fifo of openFifos.splice(0)) await fifo.close().catch(() => {});
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function planFor(path: string): Promise<EncodePlan> {
  const source = await probeMedia(path, { ffprobePath: "ffprobe" });
  if (source._tag !== "SourceInfo") throw new Error(source.message);
  return planEncode(builtInProfiles["480p_fast"], source);
}

/**
 * A FIFO standing in for a slow source. ffmpeg reads ~5 s of media before it encodes anything, so
 * the first `burst` (a fraction of the bytes) goes at once; then a percent every `everyMs` until
 * `stopAt`, where the FIFO stays open and silent (the reader waits for ever), or the end, where it closes.
 */
function slowSource(
  name: string,
  bytes: Buffer,
  options: { burst: number; everyMs: number; stopAt?: number },
) {
  const path = join(dir, name);
  execFileSync("mkfifo", [path]);
  const fed = (async () => {
    const fifo = await open(path, "w"); // waits for ffmpeg to open its end
    openFifos.push(fifo);
    const slice = Math.ceil(bytes.length / 100);
    const end = Math.floor(bytes.length * (options.stopAt ?? 1));
    try {
      let at = Math.floor(bytes.length * options.burst);
      await fifo.write(bytes.subarray(0, at));
      for (; at < end; at += slice) {
        await new Promise((resolve) => setTimeout(resolve, options.everyMs));
        await fifo.write(bytes.subarray(at, Math.min(end, at + slice)));
      }
      if (options.stopAt === undefined) await fifo.close();
    } catch {
      // ffmpeg went away (EPIPE): that is what the cancel and stall tests want.
    }
  })();
  return { path, fed };
}

const onlyPidRecord = async (): Promise<number> => {
  for (let i = 0; i < 200; i++) {
    const names = await readdir(pidDirectory(config.stateDir)).catch(() => []);
    const record = names.find((n) => n.endsWith(".json"));
    if (record) return JSON.parse(await readFile(join(pidDirectory(config.stateDir), record), "utf8")).pid;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("no pid record appeared");
};

const isRunning = async (pid: number) => {
  const stat = await readProcessStat(pid);
  return stat !== null && stat.state !== "Z";
};

describe("encodeWithFfmpeg", () => {
  it("reports progress at least once a second while encoding a source that arrives slowly", async () => {
    const plan = await planFor(longClip);
    // After the burst, 4.5 s of media over ~4 s.
    const fifo = slowSource("slow.fifo", await readFile(longClip), { burst: 0.55, everyMs: 90 });
    const ticks: { at: number; tick: EncodeProgress }[] = [];
    const outcome = await encodeWithFfmpeg(
      { ...plan, input: { ...plan.input, url: fifo.path } },
      {
        workDir: join(dir, "progress"),
        attemptId: "progress",
        onProgress: (tick) => ticks.push({ at: Date.now(), tick }),
      },
      config,
    );
    await fifo.fed;

    expect(outcome._tag).toBe("Encoded");
    expect(ticks.length).toBeGreaterThanOrEqual(4);
    const gaps = ticks.slice(1).map((t, i) => t.at - (ticks[i]?.at ?? 0));
    expect(Math.max(...gaps)).toBeLessThanOrEqual(1_000);
    const pcts = ticks.map((t) => t.tick.pct);
    expect(pcts).toEqual([...pcts].sort((a, b) => a - b));
    expect(ticks.some((t) => t.tick.pct > 20 && t.tick.pct < 80 && t.tick.etaSeconds !== null)).toBe(true);
    expect(ticks.at(-1)?.tick.pct).toBe(100);
  });

  it("kills ffmpeg within 2 s of a cancel and leaves no partial output", async () => {
    const plan = await planFor(longClip);
    const fifo = slowSource("cancel.fifo", await readFile(longClip), { burst: 0.55, everyMs: 100 });
    const controller = new AbortController();
    const workDir = join(dir, "cancel");
    let sawProgress!: () => void;
    const progressing = new Promise<void>((resolve) => {
      sawProgress = resolve;
    });
    const encoding = encodeWithFfmpeg(
      { ...plan, input: { ...plan.input, url: fifo.path } },
      {
        workDir,
        attemptId: "cancel",
        signal: controller.signal,
        onProgress: (tick) => tick.outTimeSec > 0.5 && sawProgress(),
      },
      config,
    );
    await progressing;
    const pid = await onlyPidRecord();
    expect(await isRunning(pid)).toBe(true);
    expect(await readdir(workDir)).toContain("cancel.partial.mp4");

    const cancelledAt = Date.now();
    controller.abort();
    const outcome = await encoding;
    expect(Date.now() - cancelledAt).toBeLessThan(2_000);
    expect(outcome).toMatchObject({ _tag: "EncodeFailed", exitClass: "cancelled" });
    expect(await isRunning(pid)).toBe(false);
    expect(await readdir(workDir)).toEqual([]);
    expect(await readdir(pidDirectory(config.stateDir))).toEqual([]);
    await fifo.fed;
  });

  it("does not start ffmpeg for an attempt cancelled before it began", async () => {
    const plan = await planFor(longClip);
    const outcome = await encodeWithFfmpeg(
      plan,
      { workDir: join(dir, "never"), attemptId: "never", signal: AbortSignal.abort() },
      config,
    );
    expect(outcome).toMatchObject({ _tag: "EncodeFailed", exitClass: "cancelled" });
    expect(await readdir(join(dir, "never")).catch(() => "absent")).toBe("absent");
  });

  it("kills an encode whose progress stalls and says so", async () => {
    const plan = await planFor(longClip);
    const bytes = await readFile(longClip);
    // Progress up to ~7.5 s of the 10, then the FIFO stays open and silent.
    const fifo = slowSource("stall.fifo", bytes, { burst: 0.55, everyMs: 50, stopAt: 0.75 });
    const workDir = join(dir, "stall");
    const ticks: { at: number; tick: EncodeProgress }[] = [];
    const startedAt = Date.now();
    const outcome = await encodeWithFfmpeg(
      { ...plan, input: { ...plan.input, url: fifo.path } },
      {
        workDir,
        attemptId: "stall",
        stallTimeoutMs: 1_500,
        onProgress: (tick) => ticks.push({ at: Date.now(), tick }),
      },
      config,
    );
    const endedAt = Date.now();
    expect(outcome).toMatchObject({ _tag: "EncodeFailed", exitClass: "stalled" });
    expect(endedAt - startedAt).toBeLessThan(15_000);
    expect(await readdir(workDir)).toEqual([]);

    // It got going, then stood still for the timeout (plus at most the kill grace) before the kill.
    const last = Math.max(...ticks.map((t) => t.tick.outTimeSec));
    expect(last).toBeGreaterThan(1);
    const stoodStillAt = ticks.find((t) => t.tick.outTimeSec === last)?.at ?? 0;
    expect(endedAt - stoodStillAt).toBeGreaterThanOrEqual(1_500);
    expect(endedAt - stoodStillAt).toBeLessThan(1_500 + 1_000 + 1_500);
    // Meanwhile listeners still heard from it every second.
    const quiet = ticks.filter((t) => t.at >= stoodStillAt);
    expect(quiet.length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...quiet.slice(1).map((t, i) => t.at - (quiet[i]?.at ?? 0)))).toBeLessThanOrEqual(1_000);
  });

  it("refuses an output that fails verification, removing it", async () => {
    const clip = await makeTestClip(dir, "short.mp4");
    const plan = await planFor(clip);
    const workDir = join(dir, "verify");
    const outcome = await encodeWithFfmpeg(
      { ...plan, expected: { ...plan.expected, durationSec: plan.expected.durationSec + 5 } },
      { workDir, attemptId: "verify" },
      config,
    );
    expect(outcome).toMatchObject({ _tag: "EncodeFailed", exitClass: "transient" });
    expect(outcome._tag === "EncodeFailed" && outcome.message).toMatch(/verification.*duration/);
    expect(await readdir(workDir)).toEqual([]);
  });

  it("blames the input for a truncated source whose index survived, though ffmpeg exits 0", async () => {
    const clip = await makeTestClip(dir, "cut-short.mp4", {
      durationSec: 3,
      audio: ["sine"],
      faststart: true,
    });
    const plan = await planFor(clip); // the index at the front still promises 3 s
    await truncate(clip, Math.floor((await readFile(clip)).length / 2));
    const workDir = join(dir, "truncated");
    const outcome = await encodeWithFfmpeg(plan, { workDir, attemptId: "truncated" }, config);
    expect(outcome).toMatchObject({ _tag: "EncodeFailed", exitClass: "input" });
    expect(outcome._tag === "EncodeFailed" && outcome.stderrTail).toMatch(/partial file|corrupt/);
    expect(await readdir(workDir)).toEqual([]);
  });

  it("blames the input when the source turned out not to be media", async () => {
    const clip = join(dir, "was-a-video.mp4");
    const plan = await planFor(await makeTestClip(dir, "was-a-video.mp4"));
    await writeFile(clip, Buffer.alloc(4096, 7));
    const outcome = await encodeWithFfmpeg(
      plan,
      { workDir: join(dir, "garbage"), attemptId: "garbage" },
      config,
    );
    expect(outcome).toMatchObject({ _tag: "EncodeFailed", exitClass: "input" });
  });

  it("calls an encoder fault transient and hands back ffmpeg's own words", async () => {
    const plan = await planFor(longClip);
    const outcome = await encodeWithFfmpeg(
      { ...plan, video: { ...plan.video, options: [...plan.video.options, ["-preset", "nonsense"]] } },
      { workDir: join(dir, "bad-option"), attemptId: "bad-option" },
      config,
    );
    expect(outcome).toMatchObject({ _tag: "EncodeFailed", exitClass: "transient" });
    expect(outcome._tag === "EncodeFailed" && outcome.stderrTail).toMatch(/nonsense/);
    expect(outcome._tag === "EncodeFailed" && outcome.stderrTail.length).toBeLessThanOrEqual(8 * 1024);
  });

  it("refuses an attempt id that is not a plain file name", async () => {
    const plan = await planFor(longClip);
    await expect(encodeWithFfmpeg(plan, { workDir: dir, attemptId: "../escape" }, config)).rejects.toThrow(
      TypeError,
    );
  });
});
