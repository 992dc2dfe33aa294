// Failure handling through a real kernel and real encode workers whose ffmpeg is broken on purpose (it
// proves its encoders like any other, then fails every task encode): a worker that fails three attempts
// in a row is quarantined, shows so in GET /v1/workers and takes no more work, while a healthy worker
// completes the jobs it failed; an attempt killed as if out of memory is retried on another worker.
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { jobStream, workerStream } from "../../schemas/events/streamNames.ts";
import { kernelApi, until } from "../../test/support/kernelApi.ts";
import { makeClip } from "../../test/support/mediaClip.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/testDatabase.ts";
import { writeFailingEncodeFfmpeg } from "../../test/support/writeFailingEncodeFfmpeg.ts";
import type { EncodeWorker } from "../../workers/encode/encodeWorker.ts";
import { createMemoryProgressBus } from "../progress/memoryProgressBus.ts";
import { createMemoryWorkQueue } from "../queue/memory/memoryWorkQueue.ts";
import { openDatabase, type PlatformDatabase } from "./openDatabase.ts";
import { loadConfig, type PlatformConfig } from "./platformConfig.ts";
import { type Kernel, startKernel } from "./startKernel.ts";
import { startWorkers } from "./startWorkers.ts";

let database: TestDatabase;
let db: PlatformDatabase;
let kernel: Kernel;
let dir: string;
let config: PlatformConfig;
let headers: Record<string, string>;
const queue = createMemoryWorkQueue();
const bus = createMemoryProgressBus();
const workers: EncodeWorker[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-quarantine-"));
  await chmod(dir, 0o755);
  const mediaDir = join(dir, "media");
  await mkdir(mediaDir);
  await makeClip(join(mediaDir, "short.mp4"), { seconds: 2, width: 320, height: 240 });
  database = await createTestDatabase("worker_quarantine");
  config = loadConfig(
    { port: "0", data: join(dir, "data"), "media-dir": mediaDir },
    { WEBENCODE_HEARTBEAT_MS: "200" },
  );
  db = await openDatabase({ dataDir: config.dataDir, databaseUrl: database.url });
  kernel = await startKernel(config, db, queue, bus, () => {});
  const issued = await kernel.tokens.issue(
    { name: "admin", role: "admin" },
    { userId: "system", role: "system" },
  );
  if (issued._tag !== "Issued") throw new Error(issued._tag);
  headers = { authorization: `Bearer ${issued.token}`, "content-type": "application/json" };
}, 60_000);
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
});
afterAll(async () => {
  await kernel?.stop();
  await db?.close();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

/** Workers of their own process configuration; a broken one runs an ffmpeg that fails every task encode. */
async function startWorkersWith(
  name: string,
  failure?: Parameters<typeof writeFailingEncodeFfmpeg>[1],
): Promise<EncodeWorker> {
  const dataDir = join(dir, name);
  await mkdir(dataDir, { recursive: true });
  if (failure !== undefined) {
    const script = await writeFailingEncodeFfmpeg(dataDir, failure);
    await writeFile(join(dataDir, "plugins.toml"), `[encoder-ffmpeg.config]\nffmpeg_path = "${script}"\n`);
  }
  const own = loadConfig(
    { port: "0", data: dataDir, "media-dir": config.mediaDir, "storage-dir": config.storageDir },
    { WEBENCODE_HEARTBEAT_MS: "200" },
  );
  const [worker] = await startWorkers(own, db.store, queue, bus, () => {});
  workers.push(worker!);
  return worker!;
}

const api = kernelApi(
  () => kernel.url,
  () => headers,
);

type Worker = {
  status: string;
  draining: boolean;
  quarantined: { reason: string; exit_class: string; since: string } | null;
  recent_errors: { exit_class: string | null }[];
};
type Job = { status: string; tasks: { attempts: number; worker_id: string | null }[] };

const submit = async () => {
  const submitted = await api<{ id: string }>("POST", "/v1/jobs", {
    source_url: "fs://short.mp4",
    profile: "480p_fast",
  });
  expect(submitted.status).toBe(201);
  return submitted.body.id;
};

const eventsOf = async (jobId: string) => db.store.readStream(jobStream.name(jobId));

describe("failure handling", () => {
  it("quarantines a worker that fails three attempts in a row; a healthy one completes their jobs", async () => {
    const broken = await startWorkersWith("broken", "encoderFailsToOpen");

    // alone, the broken worker takes the first attempt of each job and fails it
    const jobIds = [await submit(), await submit(), await submit()];
    const shown = await until(
      () => api<Worker>("GET", `/v1/workers/${broken.workerId}`),
      // the quarantine (workers read model) and the failed attempts (jobs read model) are projected apart
      (r) => r.status === 200 && r.body.quarantined !== null && r.body.recent_errors.length >= 3,
      "the broken worker quarantined, its failures listed",
    );
    expect(shown.body.quarantined).toEqual({
      reason: expect.stringContaining("3 task attempts failed in a row (transient)"),
      exit_class: "transient",
      since: expect.any(String),
    });
    expect(shown.body.recent_errors.length).toBeGreaterThanOrEqual(3);
    expect(shown.body.recent_errors.every((e) => e.exit_class === "transient")).toBe(true);
    const listed = await api<{ workers: ({ id: string } & Worker)[] }>("GET", "/v1/workers");
    expect(listed.body.workers.find((w) => w.id === broken.workerId)?.quarantined).not.toBeNull();
    const quarantinedAt = (await db.store.readStream(workerStream.name(broken.workerId))).find(
      (e) => e.type === "WorkerQuarantined",
    )!.position;

    // a healthy worker joins and completes every job, on the attempts the broken one no longer takes
    const healthy = await startWorkersWith("healthy");
    for (const jobId of jobIds) {
      const done = await until(
        () => api<Job>("GET", `/v1/jobs/${jobId}`),
        (r) => r.body.status === "completed" || r.body.status === "failed",
        `job ${jobId} done`,
      );
      expect(done.body.status).toBe("completed");
    }
    const startsAfterQuarantine = [];
    for (const jobId of jobIds) {
      for (const event of await db.store.readStream(jobStream.name(jobId))) {
        if (event.type === "TaskStarted" && event.position > quarantinedAt)
          startsAfterQuarantine.push((event.data as { workerId: string }).workerId);
      }
    }
    expect(startsAfterQuarantine.length).toBeGreaterThan(0);
    expect(startsAfterQuarantine.every((workerId) => workerId === healthy.workerId)).toBe(true);
    expect((await api<Worker>("GET", `/v1/workers/${broken.workerId}`)).body.quarantined).not.toBeNull();

    // an admin lifts the quarantine: the worker is shown taking work again
    expect((await api("POST", `/v1/workers/${broken.workerId}/unquarantine`)).status).toBe(200);
    await until(
      () => api<Worker>("GET", `/v1/workers/${broken.workerId}`),
      (r) => r.body.quarantined === null,
      "the quarantine lifted",
    );
  }, 120_000);

  it("retries an attempt killed as if out of memory on another worker, though the first asks again first", async () => {
    const starved = await startWorkersWith("starved", "killedForMemory");
    const jobId = await submit();
    const failed = await until(
      async () => (await eventsOf(jobId)).find((e) => e.type === "TaskFailed"),
      (event) => event !== undefined,
      "the first attempt failed",
    );
    expect(failed!.data).toMatchObject({ attempt: 1, exitClass: "oom" });
    const retry = (await eventsOf(jobId)).filter((e) => e.type === "TaskScheduled")[1];
    expect(retry?.data).toMatchObject({ attempt: 2, avoidWorkers: [starved.workerId] });

    // the starved worker waits for work before the healthy one does, and is still passed over
    const healthy = await startWorkersWith("healthy-2");
    const done = await until(
      () => api<Job>("GET", `/v1/jobs/${jobId}`),
      (r) => r.body.status === "completed" || r.body.status === "failed",
      "the job done",
    );
    expect(done.body.status).toBe("completed");
    const starts = (await eventsOf(jobId))
      .filter((e) => e.type === "TaskStarted")
      .map((e) => e.data as { attempt: number; workerId: string });
    expect(starts).toEqual([
      { taskId: expect.any(String), attempt: 1, workerId: starved.workerId, leaseId: expect.any(String) },
      { taskId: expect.any(String), attempt: 2, workerId: healthy.workerId, leaseId: expect.any(String) },
    ]);
  }, 120_000);
});
