// The VOD pipeline end to end inside one process: real Postgres event store, in-process queue and
// progress bus, the real ffmpeg encoder; planner → dispatcher → worker → publisher.

import { randomBytes, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJobCommands } from "../commands/jobs/createJobCommands.ts";
import { executeJobCommand } from "../commands/jobs/executeJobCommand.ts";
import { finalOutputKey } from "../domain/job/jobFileKeys.ts";
import type { RecordedEvent } from "../domain/ports/eventStore.ts";
import type { WorkQueue } from "../domain/ports/workQueue.ts";
import {
  openPostgresEventStore,
  type PostgresEventStore,
} from "../infra/eventstore/postgres/postgresEventStore.ts";
import { type Reactor, runReactor } from "../infra/processors/runReactor.ts";
import { createMemoryWorkQueue } from "../infra/queue/memory/memoryWorkQueue.ts";
import { builtInProfiles } from "../plugins/encoder-ffmpeg/builtInProfiles.ts";
import { createFfmpegEncoder } from "../plugins/encoder-ffmpeg/createFfmpegEncoder.ts";
import type { EncodeProfile } from "../plugins/sdk/encoderPlugin.ts";
import { jobStream } from "../schemas/events/streamNames.ts";
import {
  createRecordingProgressBus,
  type RecordingProgressBus,
} from "../test/support/createRecordingProgressBus.ts";
import { type FsMediaStorage, fsMediaStorage } from "../test/support/fsMediaStorage.ts";
import { inspectMedia } from "../test/support/inspectMedia.ts";
import { makeTestClip } from "../test/support/makeTestClip.ts";
import { createTestDatabase, type TestDatabase } from "../test/support/testDatabase.ts";
import { type EncodeWorker, startEncodeWorker } from "./encode/encodeWorker.ts";
import { reactionContext } from "./reactionContext.ts";
import { dispatcher } from "./reactors/dispatcher.ts";
import { jobPlanner } from "./reactors/jobPlanner.ts";
import { outputPublisher } from "./reactors/outputPublisher.ts";

let dir: string;
let mediaRoot: string;
let storageRoot: string;
let storage: FsMediaStorage;
let stateDir: string;
let database: TestDatabase;
let store: PostgresEventStore;
let pool: pg.Pool;
let queue: WorkQueue;
let bus: RecordingProgressBus;
let reactors: Reactor[] = [];
let worker: EncodeWorker;

// Slow on purpose, so that a cancel lands while ffmpeg is still encoding.
const slowProfile: EncodeProfile = {
  ...builtInProfiles["480p_fast"],
  name: "slow_test",
  video: { ...builtInProfiles["480p_fast"].video, preset: "veryslow" },
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "vod-pipeline-"));
  mediaRoot = join(dir, "media");
  storageRoot = join(dir, "storage");
  stateDir = join(dir, "state");
  await mkdir(mediaRoot, { recursive: true });
  await makeTestClip(mediaRoot, "clip.mp4", { durationSec: 2, audio: ["sine"] });
  await makeTestClip(mediaRoot, "long.mp4", { width: 640, height: 360, durationSec: 10, audio: ["sine"] });
  await writeFile(join(mediaRoot, "corrupt.mp4"), randomBytes(64 * 1024));

  database = await createTestDatabase("pipeline");
  store = await openPostgresEventStore({ url: database.url, schema: "ev", pollMs: 200 });
  pool = new pg.Pool({ connectionString: database.url, max: 8 });
  queue = createMemoryWorkQueue({ ackWaitMs: 10_000 });
  bus = createRecordingProgressBus();
  const encoder = createFfmpegEncoder({ stateDir });
  storage = await fsMediaStorage({ mediaRoot, storageRoot });
  const common = { store, pool, schema: "rx", newId: randomUUID, now: () => new Date() };
  const jobs = createJobCommands(common);
  reactors = [
    jobPlanner({ ...common, jobs, encoder, storage }),
    dispatcher({ ...common, jobs, queue }),
    outputPublisher({ ...common, jobs, storage }),
  ].map((definition) => runReactor({ ...common, ...definition }));
  worker = await startEncodeWorker({
    workerId: `w-${randomUUID().slice(0, 8)}`,
    jobs,
    store,
    queue,
    progressBus: bus,
    encoder,
    profiles: { ...builtInProfiles, slow_test: slowProfile },
    storage,
    scratchDir: join(stateDir, "scratch"),
    ackWaitMs: 10_000,
    newId: randomUUID,
    now: () => new Date(),
  });
});

afterAll(async () => {
  await worker?.stop();
  for (const reactor of reactors) await reactor.stop();
  await queue?.close();
  await storage?.close();
  await pool?.end();
  await store?.close();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

async function submit(sourceUrl: string, profileId: string): Promise<string> {
  const jobId = randomUUID();
  const result = await executeJobCommand(
    { store, newId: randomUUID, now: () => new Date() },
    jobId,
    {
      type: "SubmitJob",
      data: { jobId, userId: "u-test", sourceType: "upload", sourceUrl, profileId, outputConfig: {} },
    },
    { ...reactionContext({ id: randomUUID() }), actor: { userId: "u-test", role: "operator" } },
  );
  expect(result._tag).toBe("Executed");
  return jobId;
}

const eventsOf = (jobId: string) => store.readStream(jobStream.name(jobId));

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const endOf = (jobId: string): Promise<RecordedEvent[]> =>
  waitFor(`job ${jobId} to end`, async () => {
    const events = await eventsOf(jobId);
    const ended = events.some((e) => ["JobCompleted", "JobFailed", "JobCancelled"].includes(e.type));
    return ended ? events : undefined;
  });

describe("VOD pipeline", () => {
  it("takes a submitted 2 s clip to a verified h264 + aac output and completes the job once", async () => {
    const jobId = await submit("fs://clip.mp4", "480p_fast");
    const events = await endOf(jobId);

    expect(events.map((e) => e.type)).toEqual([
      "JobSubmitted",
      "JobSourceProbed",
      "JobPlanned",
      "TaskScheduled",
      "TaskStarted",
      ...events.filter((e) => e.type === "TaskProgressed").map(() => "TaskProgressed"),
      "TaskCompleted",
      "JobUploadingStarted",
      "JobCompleted",
    ]);
    const output = join(storageRoot, finalOutputKey(jobId));
    const media = await inspectMedia(output);
    expect(media.streams.map((s) => s.codec_name).sort()).toEqual(["aac", "h264"]);
    expect(Math.abs(Number(media.format.duration) - 2)).toBeLessThanOrEqual(0.1);
    const completed = events.at(-1)!;
    expect(completed.data.outputs).toEqual([
      expect.objectContaining({ key: finalOutputKey(jobId), type: "final", profile: "480p_fast" }),
    ]);
    expect((await readFile(output)).length).toBe(
      (completed.data.outputs as { sizeBytes: number }[])[0]?.sizeBytes,
    );

    const ticks = bus.ticks.filter((t) => t.jobId === jobId);
    expect(ticks.length).toBeGreaterThan(0);
    expect(ticks.at(-1)?.pct).toBe(100);
    expect(existsSync(join(storageRoot, "work", jobId))).toBe(false);
    await waitFor("the queue to drain", async () => ((await queue.depth()) === 0 ? true : undefined));
  });

  it("fails a job whose source is random bytes with WE-JOB-007 and schedules nothing", async () => {
    const jobId = await submit("fs://corrupt.mp4", "480p_fast");
    const events = await endOf(jobId);
    expect(events.map((e) => e.type)).toEqual(["JobSubmitted", "JobFailed"]);
    expect(events[1]?.data.code).toBe("WE-JOB-007");
  });

  it("stops ffmpeg within 2 s of a cancel and leaves no output behind", async () => {
    const jobId = await submit("fs://long.mp4", "slow_test");
    const pidDir = join(stateDir, "ffmpeg-pids");
    const pid = await waitFor("ffmpeg to run", async () => {
      const name = (await readdir(pidDir).catch((): string[] => [])).find((n) => n.endsWith(".json"));
      if (!name) return undefined;
      const record = JSON.parse(await readFile(join(pidDir, name), "utf8")) as { pid: number };
      // encoding for real: a tick past the start
      return bus.ticks.some((t) => t.jobId === jobId && t.outTimeSec > 0) ? record.pid : undefined;
    });
    expect(existsSync(`/proc/${pid}`)).toBe(true);

    const cancelledAt = Date.now();
    const cancelled = await executeJobCommand(
      { store, newId: randomUUID, now: () => new Date() },
      jobId,
      { type: "CancelJob", data: { reason: "changed my mind" } },
      { ...reactionContext({ id: randomUUID() }), actor: { userId: "u-test", role: "operator" } },
    );
    expect(cancelled._tag).toBe("Executed");
    await waitFor("ffmpeg to go", async () => (existsSync(`/proc/${pid}`) ? undefined : true), 5_000);
    expect(Date.now() - cancelledAt).toBeLessThan(2_000);

    await waitFor("the message to be settled", async () => ((await queue.depth()) === 0 ? true : undefined));
    const events = await eventsOf(jobId);
    expect(events.at(-1)?.type).toBe("JobCancelled");
    expect(events.map((e) => e.type)).not.toContain("TaskCompleted");
    expect(existsSync(join(storageRoot, "outputs", jobId))).toBe(false);
    const workFiles = await readdir(join(storageRoot, "work", jobId), { recursive: true }).catch(
      (): string[] => [],
    );
    expect(workFiles.filter((f) => f.endsWith(".mp4"))).toEqual([]);
    // nor in the worker's scratch folder
    const scratchFiles = await readdir(join(stateDir, "scratch"), { recursive: true }).catch(
      (): string[] => [],
    );
    expect(scratchFiles.filter((f) => f.endsWith(".mp4"))).toEqual([]);
  });
});
