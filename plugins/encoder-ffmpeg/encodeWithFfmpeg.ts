// Runs one encode attempt with a real ffmpeg: progress ticks, cancel, stall watchdog, a pid record
// for orphan reaping, and an output that is probed and checked before it gets its final name.
// Whatever happens, ffmpeg is gone and no partial output is left when this returns.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import type {
  Encoded,
  EncodedLadder,
  EncodeFailed,
  EncodeOptions,
  EncodeOutcome,
  EncodePlan,
  EncodeProgress,
} from "../sdk/encoderPlugin.ts";
import { sha256File } from "../sdk/sha256File.ts";
import type { EgressPass, SourceEgress } from "../sdk/sourceEgress.ts";
import { buildFfmpegArgs, subtitleTrackArgs } from "./buildFfmpegArgs.ts";
import { classifyFailure } from "./classifyFailure.ts";
import { createProgressParser } from "./createProgressParser.ts";
import { createTailBuffer } from "./createTailBuffer.ts";
import { isRemoteInput, proxyEnv } from "./ffmpegInput.ts";
import { lastLine } from "./mediaOutputsConfig.ts";
import { probeMedia } from "./probeMedia.ts";
import { recordFfmpegPid } from "./recordFfmpegPid.ts";
import { runCommand } from "./runCommand.ts";
import { type Verification, verifyOutput } from "./verifyOutput.ts";

export interface FfmpegConfig {
  readonly ffmpegPath: string;
  readonly ffprobePath: string;
  /** Holds the pid records (`ffmpeg-pids/`) that reapOrphans reads. */
  readonly stateDir: string;
  /** The only way to http(s) sources; without it they are not fetched. */
  readonly egress?: SourceEgress;
}

const defaultStallTimeoutMs = 60_000;
const killGraceMs = 1_000;
const heartbeatAfterMs = 800;
const stderrTailChars = 8 * 1024;
/** A subtitle track is a few hundred kilobytes at most, but the whole source is read to find it. */
const beforeTimeoutMs = 10 * 60_000;
const inputFaultReasons = new Set(["not_found", "not_media", "truncated", "no_video", "refused"]);

const failed = (exitClass: EncodeFailed["exitClass"], message: string, stderrTail = ""): EncodeFailed => ({
  _tag: "EncodeFailed",
  exitClass,
  message,
  stderrTail,
});

// Killed on exit of this process too, so a worker that stops normally leaves no ffmpeg behind.
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** One ffmpeg run that writes one verified file: its command line, how long it is, how it is checked. */
export interface FfmpegAttempt {
  /** The source as ffmpeg reads it (a local path or an http(s) URL behind the egress proxy). */
  readonly inputUrl: string;
  /** File extension of the output. */
  readonly container: string;
  readonly args: (outputPath: string) => string[];
  /** What progress percentages count against. */
  readonly durationSec: number;
  readonly verify: (outputPath: string) => Promise<Verification>;
  /** The video encoder it drives, reported with the output. */
  readonly encoder?: string;
  /** See FfmpegOutputsAttempt. */
  readonly before?: readonly string[];
}

/** One file of a run that writes several (the tiers of a ladder from one decode): how it is checked. */
export interface FfmpegOutput {
  /** File extension of the output. */
  readonly container: string;
  readonly verify: (outputPath: string) => Promise<Verification>;
  /** The video encoder it drives, reported with the output. */
  readonly encoder?: string;
}

/** One ffmpeg run that writes several verified files, each passed or failed with the whole run. */
export interface FfmpegOutputsAttempt {
  readonly inputUrl: string;
  /** A short ffmpeg run first, in the attempt's folder (where the encode runs too), through the same
   * egress: a remote source's subtitle track copied for libass. */
  readonly before?: readonly string[];
  readonly outputs: readonly FfmpegOutput[];
  /** The command line writing output i to `outputPaths[i]`. */
  readonly args: (outputPaths: readonly string[]) => string[];
  readonly durationSec: number;
}

export function encodeWithFfmpeg(
  plan: EncodePlan,
  options: EncodeOptions,
  config: FfmpegConfig,
): Promise<EncodeOutcome> {
  const before = subtitleTrackArgs(plan);
  return runFfmpegAttempt(
    {
      inputUrl: plan.input.url,
      container: plan.container.format,
      args: (outputPath) => buildFfmpegArgs(plan, outputPath),
      ...(before === null ? {} : { before }),
      durationSec: plan.expected.durationSec,
      verify: (outputPath) => verifyOutput(outputPath, plan.expected, { ffprobePath: config.ffprobePath }),
      encoder: plan.video.encoder,
    },
    options,
    config,
  );
}

/**
 * Runs the attempt into `<attemptId>.partial.<container>` with progress, cancel and a stall watchdog,
 * classifies a failure, and renames the output into place only once it passed its check.
 */
export async function runFfmpegAttempt(
  attempt: FfmpegAttempt,
  options: EncodeOptions,
  config: FfmpegConfig,
): Promise<EncodeOutcome> {
  const { container, verify, encoder } = attempt;
  const ran = await runFfmpegOutputs(
    {
      inputUrl: attempt.inputUrl,
      ...(attempt.before === undefined ? {} : { before: attempt.before }),
      durationSec: attempt.durationSec,
      outputs: [{ container, verify, ...(encoder === undefined ? {} : { encoder }) }],
      args: ([outputPath]) => attempt.args(outputPath!),
    },
    options,
    config,
  );
  return ran._tag === "EncodeFailed" ? ran : ran.outputs[0]!;
}

/**
 * The same for a run with several outputs: output 0 is `<attemptId>.<container>` as above, output i
 * `<attemptId>.<i>.<container>`. Either every output passes its check and is renamed into place, or the
 * attempt fails and none is left.
 */
export async function runFfmpegOutputs(
  attempt: FfmpegOutputsAttempt,
  options: EncodeOptions,
  config: FfmpegConfig,
): Promise<EncodedLadder | EncodeFailed> {
  if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(options.attemptId)) {
    throw new TypeError(`attemptId ${JSON.stringify(options.attemptId)} is not a safe file name`);
  }
  const workDir = resolve(options.workDir);
  const paths = attempt.outputs.map(({ container }, index) => {
    const stem = index === 0 ? options.attemptId : `${options.attemptId}.${index}`;
    return {
      partialPath: join(workDir, `${stem}.partial.${container}`),
      finalPath: join(workDir, `${stem}.${container}`),
    };
  });
  if (options.signal?.aborted) return failed("cancelled", "encode cancelled before it started");
  const remote = isRemoteInput(attempt.inputUrl);
  if (remote && config.egress === undefined) {
    return failed("transient", "http(s) sources need the egress proxy, and this encoder has none");
  }
  await mkdir(workDir, { recursive: true });
  let pass: EgressPass | undefined;
  try {
    pass = remote ? await config.egress?.open() : undefined;
  } catch (error) {
    return failed("transient", `the egress proxy cannot start: ${(error as Error).message}`);
  }
  try {
    if (attempt.before !== undefined) {
      const before = await runCommand(config.ffmpegPath, attempt.before, {
        timeoutMs: beforeTimeoutMs,
        cwd: workDir,
        ...(pass === undefined ? {} : { env: proxyEnv(pass.proxyUrl) }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
      if (options.signal?.aborted) return failed("cancelled", "encode cancelled before it started");
      if (before.exitCode !== 0) {
        return failed(
          "transient",
          `the source's subtitle track could not be copied: ${lastLine(before)}`,
          before.stderr,
        );
      }
    }
    return await runEncode(attempt, options, config, pass, paths, workDir);
  } finally {
    pass?.close();
  }
}

async function runEncode(
  attempt: FfmpegOutputsAttempt,
  options: EncodeOptions,
  config: FfmpegConfig,
  pass: EgressPass | undefined,
  paths: readonly { readonly partialPath: string; readonly finalPath: string }[],
  workDir: string,
): Promise<EncodedLadder | EncodeFailed> {
  const partials = paths.map((path) => path.partialPath);
  const removePartials = () => Promise.all(partials.map((path) => rm(path, { force: true })));
  const stallTimeoutMs = options.stallTimeoutMs ?? defaultStallTimeoutMs;
  const stderr = createTailBuffer(stderrTailChars);
  const parser = createProgressParser(attempt.durationSec);
  const child = spawn(config.ffmpegPath, attempt.args(partials), {
    stdio: ["ignore", "pipe", "pipe"],
    cwd: workDir,
    ...(pass === undefined ? {} : { env: proxyEnv(pass.proxyUrl) }),
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>(
    (resolveExit) => {
      child.once("error", (error) => resolveExit({ code: null, signal: null, error }));
      child.once("close", (code, signal) => resolveExit({ code, signal }));
    },
  );
  track(child);

  let killedBy: "cancel" | "stall" | null = null;
  let killTimer: NodeJS.Timeout | undefined;
  const kill = (reason: "cancel" | "stall") => {
    if (killedBy !== null || child.exitCode !== null || child.signalCode !== null) return;
    killedBy = reason;
    child.kill("SIGTERM");
    killTimer = setTimeout(() => child.kill("SIGKILL"), killGraceMs);
  };
  const onAbort = () => kill("cancel");
  options.signal?.addEventListener("abort", onAbort, { once: true });

  let lastOutTime = -1;
  let lastAdvanceAt = Date.now();
  const watchdog = setInterval(
    () => {
      if (Date.now() - lastAdvanceAt >= stallTimeoutMs) kill("stall");
    },
    Math.max(50, Math.min(1_000, stallTimeoutMs / 4)),
  );

  // ffmpeg reports every 0.5 s only while its loop turns (not while it sizes up a slow input, nor
  // on a starved machine): the last tick is repeated so listeners hear at least once a second.
  let lastTick: EncodeProgress = { pct: 0, outTimeSec: 0, fps: null, speed: null, etaSeconds: null };
  let lastReportAt = 0;
  const report = (tick: EncodeProgress) => {
    lastTick = tick;
    lastReportAt = Date.now();
    try {
      options.onProgress?.(tick);
    } catch {
      // A failing progress reporter must not take the encode (or the worker) down with it.
    }
  };
  report(lastTick);
  const heartbeat = setInterval(() => {
    if (Date.now() - lastReportAt >= heartbeatAfterMs) report(lastTick);
  }, 100);
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    for (const tick of parser.push(chunk)) {
      if (tick.outTimeSec > lastOutTime) {
        lastOutTime = tick.outTimeSec;
        lastAdvanceAt = Date.now();
      }
      report(tick);
    }
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => stderr.push(chunk));

  const releasePid = child.pid
    ? await recordFfmpegPid(config.stateDir, {
        pid: child.pid,
        partialPath: partials[0]!,
        attemptId: options.attemptId,
      }).catch(() => async () => {})
    : async () => {};

  const exit = await exited;
  clearInterval(watchdog);
  clearInterval(heartbeat);
  clearTimeout(killTimer);
  options.signal?.removeEventListener("abort", onAbort);
  running.delete(child);
  await releasePid();

  const tail = stderr.text();
  try {
    if (exit.error) {
      await removePartials();
      return failed("transient", `cannot run ffmpeg: ${exit.error.message}`, tail);
    }
    if (killedBy !== null || exit.code !== 0) {
      await removePartials();
      const refused = killedBy === null ? pass?.failure() : undefined;
      if (refused !== undefined) {
        // A remote failure may pass (retry); a refusal is where the source leads, every time.
        const exitClass = refused.kind === "refused" ? "input" : "transient";
        return failed(exitClass, `${refused.message} ${refused.hint}`, tail);
      }
      const verdict = classifyFailure({ exitCode: exit.code, signal: exit.signal, stderr: tail, killedBy });
      if (verdict.exitClass === "stalled") {
        return failed("stalled", `encode stalled: no progress for ${stallTimeoutMs} ms`, tail);
      }
      if (verdict.exitClass === "transient") {
        // ffmpeg exits 1 for a corrupt source as for a passing fault: ask the probe whose fault it is.
        const probed = await probeMedia(attempt.inputUrl, {
          ffprobePath: config.ffprobePath,
          ...(config.egress === undefined ? {} : { egress: config.egress }),
        });
        if (probed._tag === "ProbeFailure" && inputFaultReasons.has(probed.reason)) {
          return failed("input", probed.message, tail);
        }
      }
      return failed(verdict.exitClass, verdict.message, tail);
    }

    const verifications = await Promise.all(
      attempt.outputs.map((output, index) => output.verify(partials[index]!)),
    );
    const refused = verifications.findIndex((verification) => !verification.ok);
    if (refused >= 0) {
      await removePartials();
      const verification = verifications[refused] as Extract<Verification, { ok: false }>;
      const fromStderr = classifyFailure({ exitCode: 1, signal: null, stderr: tail, killedBy: null });
      const exitClass = fromStderr.exitClass === "input" ? "input" : "transient";
      const why = exitClass === "input" ? `; ${fromStderr.message}` : "";
      const which =
        attempt.outputs.length > 1 ? `output ${refused + 1} of ${attempt.outputs.length} ` : "output ";
      return failed(exitClass, `${which}failed verification: ${verification.reason}${why}`, tail);
    }
    const outputs: Encoded[] = [];
    for (const [index, { partialPath, finalPath }] of paths.entries()) {
      await rename(partialPath, finalPath);
      const [{ size }, checksum] = await Promise.all([stat(finalPath), sha256File(finalPath)]);
      const { encoder } = attempt.outputs[index]!;
      const { durationSec } = verifications[index] as Extract<Verification, { ok: true }>;
      outputs.push({
        _tag: "Encoded",
        path: finalPath,
        sizeBytes: size,
        checksum,
        durationSec,
        ...(encoder === undefined ? {} : { encoder }),
      });
    }
    return { _tag: "EncodedLadder", outputs };
  } catch (error) {
    await Promise.all(
      paths.flatMap((path) => [path.partialPath, path.finalPath]).map((path) => rm(path, { force: true })),
    );
    return failed("transient", `finishing the output failed: ${(error as Error).message}`, tail);
  }
}

function track(child: ChildProcess): void {
  running.add(child);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const c of running) c.kill("SIGKILL");
  });
}
