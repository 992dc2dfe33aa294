// A worker killed with -9 in the middle of a task, on Postgres and NATS JetStream: the next worker
// reaps the ffmpeg it left, releases the lost attempt once its lease runs out, and the job completes once.

import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJobCommands } from "../commands/jobs/createJobCommands.ts";
import { executeJobCommand } from "../commands/jobs/executeJobCommand.ts";
import { finalOutputKey } from "../domain/job/jobFileKeys.ts";
import type { WorkQueue } from "../domain/ports/workQueue.ts";
import {
  openPostgresEventStore,
  type PostgresEventStore,
} from "../infra/eventstore/postgres/postgresEventStore.ts";
import { type Reactor, runReactor } from "../infra/processors/runReactor.ts";
import { openNatsWorkQueue } from "../infra/queue/nats/natsWorkQueue.ts";
import { createFfmpegEncoder } from "../plugins/encoder-ffmpeg/createFfmpegEncoder.ts";
import { readProcessStat } from "../plugins/encoder-ffmpeg/readProcessStat.ts";
import { jobStream } from "../schemas/events/streamNames.ts";
import type { EncodeWorkerTestConfig } from "../test/support/encodeWorkerTestProcess.ts";
import { type FsMediaStorage, fsMediaStorage } from "../test/support/fsMediaStorage.ts";
import { inspectMedia } from "../test/support/inspectMedia.ts";
import { makeTestClip } from "../test/support/makeTestClip.ts";
import { startNatsServer, type TestNatsServer } from "../test/support/natsServer.ts";
import { createTestDatabase, type TestDatabase } from "../test/support/testDatabase.ts";
import { reactionContext } from "./reactionContext.ts";
import { dispatcher } from "./reactors/dispatcher.ts";
import { jobPlanner } from "./reactors/jobPlanner.ts";
import { outputPublisher } from "./reactors/outputPublisher.ts";

const ackWaitMs = 3_000;
let dir: string;
let database: TestDatabase;
let nats: TestNatsServer;
let store: PostgresEventStore;
let pool: pg.Pool;
let queue: WorkQueue;
let reactors: Reactor[] = [];
let storage: FsMediaStorage;
const children: ChildProcess[] = [];
let base: Omit<EncodeWorkerTestConfig, "workerId" | "preset">;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "worker-crash-"));
  const mediaRoot = join(dir, "media");
  const storageRoot = join(dir, "storage");
  await mkdir(mediaRoot, { recursive: true });
  await makeTestClip(mediaRoot, "clip.mp4", { width: 640, height: 360, durationSec: 6, audio: ["sine"] });
  [database, nats] = await Promise.all([createTestDatabase("crash"), startNatsServer()]);
  store = await openPostgresEventStore({ url: database.url, schema: "ev", pollMs: 200 });
  pool = new pg.Pool({ connectionString: database.url, max: 6 });
  const natsOptions = {
    servers: nats.url,
    stream: "WE_TASKS",
    subject: "we.tasks.encode",
    durable: "encoders",
  };
  queue = await openNatsWorkQueue({ ...natsOptions, ackWaitMs });
  base = {
    databaseUrl: database.url,
    eventSchema: "ev",
    nats: natsOptions,
    mediaRoot,
    storageRoot,
    stateDir: join(dir, "state"),
    ackWaitMs,
  };
  const common = { store, pool, schema: "rx", newId: randomUUID, now: () => new Date() };
  const jobs = createJobCommands(common);
  storage = await fsMediaStorage({ mediaRoot, storageRoot });
  reactors = [
    jobPlanner({
      ...common,
      jobs,
      encoder: createFfmpegEncoder({ stateDir: join(dir, "planner-state") }),
      storage,
    }),
    dispatcher({ ...common, jobs, queue }),
    outputPublisher({ ...common, jobs, storage }),
  ].map((definition) => runReactor({ ...common, ...definition }));
});

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
  }
  for (const reactor of reactors) await reactor.stop();
  await queue?.close();
  await storage?.close();
  await pool?.end();
  await store?.close();
  await nats?.stop();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

/** Starts a worker process and resolves once it takes messages. */
async function startWorkerProcess(workerId: string, preset: string): Promise<ChildProcess> {
  const config: EncodeWorkerTestConfig = { ...base, workerId, preset };
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      fileURLToPath(new URL("../test/support/encodeWorkerTestProcess.ts", import.meta.url)),
    ],
    {
      cwd: fileURLToPath(new URL("..", import.meta.url)),
      env: { ...process.env, WORKER_CONFIG: JSON.stringify(config) },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    let output = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
      if (output.includes("ready")) resolve();
    });
    child.once("exit", (code) =>
      reject(new Error(`worker ${workerId} exited (${code}) before it was ready`)),
    );
  });
  return child;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 50_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Alive: a zombie (killed, not yet waited for by whoever inherited it) counts as gone. */
const isRunning = async (pid: number) => ((await readProcessStat(pid))?.state ?? "Z") !== "Z";

describe("a worker killed with -9 mid-task", () => {
  it("is replaced: its ffmpeg is reaped, the lost attempt is released and the job completes exactly once", async () => {
    const killed = await startWorkerProcess("w-killed", "veryslow");
    const jobId = randomUUID();
    await executeJobCommand(
      { store, newId: randomUUID, now: () => new Date() },
      jobId,
      {
        type: "SubmitJob",
        data: {
          jobId,
          userId: "u-test",
          sourceType: "upload",
          sourceUrl: "fs://clip.mp4",
          profileId: "crash_test",
          outputConfig: {},
        },
      },
      { ...reactionContext({ id: randomUUID() }), actor: { userId: "u-test", role: "operator" } },
    );

    // Kill the worker while its ffmpeg is writing the attempt's partial output.
    const pidDir = join(base.stateDir, "ffmpeg-pids");
    const record = await waitFor("ffmpeg to write", async () => {
      const name = (await readdir(pidDir).catch((): string[] => [])).find((n) => n.endsWith(".json"));
      if (!name) return undefined;
      const found = JSON.parse(await readFile(join(pidDir, name), "utf8")) as {
        pid: number;
        partialPath: string;
      };
      return existsSync(found.partialPath) ? found : undefined;
    });
    killed.kill("SIGKILL");
    await once(killed, "exit");
    expect(await isRunning(record.pid)).toBe(true); // the orphan it left behind

    await startWorkerProcess("w-next", "ultrafast");
    expect(await isRunning(record.pid)).toBe(false); // reaped at the new worker's start
    expect(existsSync(record.partialPath)).toBe(false);

    const events = await waitFor("the job to end", async () => {
      const stream = await store.readStream(jobStream.name(jobId));
      return stream.some((e) => ["JobCompleted", "JobFailed", "JobCancelled"].includes(e.type))
        ? stream
        : undefined;
    });
    const ofType = (type: string) => events.filter((e) => e.type === type);
    expect(ofType("JobCompleted")).toHaveLength(1);
    expect(ofType("TaskStarted").map((e) => [e.data.attempt, e.data.workerId])).toEqual([
      [1, "w-killed"],
      [2, "w-next"],
    ]);
    expect(ofType("TaskFailed").map((e) => [e.data.attempt, e.data.exitClass])).toEqual([[1, "transient"]]);
    expect(String(ofType("TaskFailed")[0]?.data.message)).toMatch(/^worker lost/);
    expect(ofType("TaskCompleted").map((e) => e.data.attempt)).toEqual([2]);

    const media = await inspectMedia(join(base.storageRoot, finalOutputKey(jobId)));
    expect(Math.abs(Number(media.format.duration) - 6)).toBeLessThanOrEqual(0.1);
    await waitFor("the queue to drain", async () => ((await queue.depth()) === 0 ? true : undefined));
  });
});
