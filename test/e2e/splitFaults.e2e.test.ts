// Split jobs under faults, with real processes: one `webencode kernel` and two `webencode worker` on
// server PostgreSQL and NATS JetStream. A worker killed with -9 mid-chunk, the kernel killed with -9
// mid-job and started again, NATS restarted mid-job: each job still completes with a verified stitch
// holding every frame of its source once, and no chunk that had completed is encoded again.
import { randomBytes } from "node:crypto";
import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSse } from "../../infra/cli/apiClient.ts";
import { makeClip } from "../support/mediaClip.ts";
import { startNatsServer, type TestNatsServer } from "../support/natsServer.ts";
import { type PlatformProcess, startPlatform } from "../support/platformProcess.ts";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase.ts";

let dir: string;
let database: TestDatabase;
let nats: TestNatsServer;
const processes: PlatformProcess[] = [];
const natsPrefix = `we${randomBytes(4).toString("hex")}`;
const adminToken = `we-split-${randomBytes(16).toString("hex")}`;
const auth = { authorization: `Bearer ${adminToken}` };
const SOURCE_FRAMES = 20 * 30;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-split-faults-"));
  await chmod(dir, 0o755);
  await mkdir(join(dir, "media"));
  // x264's default GOP: a keyframe every ~8 s, sparser than the bounds, so most cuts fall between keyframes
  await makeClip(join(dir, "media", "talk.mp4"), { seconds: 20, width: 1280, height: 720 });
  database = await createTestDatabase("split_faults");
  nats = await startNatsServer();
}, 60_000);

afterAll(async () => {
  await Promise.all(processes.map((p) => p.kill("SIGKILL")));
  await nats?.stop();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

function start(mode: "kernel" | "worker", name: string) {
  const env = {
    DATABASE_URL: database.url,
    NATS_URL: nats.url,
    WEBENCODE_NATS_PREFIX: natsPrefix,
    WEBENCODE_ADMIN_TOKEN: adminToken,
    WEBENCODE_SECRET: "shared-by-every-process-of-this-installation",
    WEBENCODE_ACK_WAIT_MS: "3000",
    WEBENCODE_HEARTBEAT_MS: "500",
    WEBENCODE_SEGMENT_SECONDS: "2:4:6",
  };
  return startPlatform(join(dir, name), join(dir, "media"), env, {
    mode,
    args: ["--storage-dir", join(dir, "storage")],
  }).then((p) => {
    processes.push(p);
    return p;
  });
}

const alive = (p: PlatformProcess) => p.child.exitCode === null && p.child.signalCode === null;

let kernel: PlatformProcess;
const workers: PlatformProcess[] = [];

async function json<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(`${kernel.url}${path}`, {
    ...init,
    headers: { ...auth, "content-type": "application/json", ...(init.headers ?? {}) },
  });
  return (await response.json()) as T;
}

async function untilHealthyWorkers(count: number): Promise<void> {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
    const { workers: listed } = await json<{ workers: { status: string; draining: boolean }[] }>(
      "/v1/workers",
    );
    if (listed.filter((w) => w.status === "online" && !w.draining).length >= count) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${count} healthy workers never listed`);
}

async function submit(): Promise<string> {
  const { id } = await json<{ id: string }>("/v1/jobs", {
    method: "POST",
    body: JSON.stringify({ source_url: "fs://talk.mp4", profile: "480p_fast" }),
  });
  return id;
}

interface FeedEvent {
  event: string;
  data: { task_id?: string; worker_id?: string; attempt?: number };
}

/** Follows the job's events from its start until `step` returns true or the job ends. */
async function follow(jobId: string, step: (events: FeedEvent[]) => Promise<boolean> | boolean) {
  const events: FeedEvent[] = [];
  const feed = await fetch(`${kernel.url}/v1/events/stream?job=${jobId}&from=start`, { headers: auth });
  let stopped = false;
  try {
    for await (const message of readSse(feed)) {
      if (!message.data || message.event === "progress") continue;
      events.push({
        event: message.event,
        data: (JSON.parse(message.data) as { data: FeedEvent["data"] }).data,
      });
      stopped = await step(events);
      if (stopped) break;
      if (
        message.event === "JobCompleted" ||
        message.event === "JobFailed" ||
        message.event === "JobCancelled"
      )
        break;
    }
  } catch (error) {
    // the step killed the kernel that served the feed
    if (!stopped) throw error;
  }
  return events;
}

interface JobDetail {
  status: string;
  error: { code: string; message: string } | null;
  tasks: { id: string; kind: string; attempts: unknown[] }[];
  stitch: { frame_count: number; worst_seam_delta: number | null } | null;
}

async function untilDone(jobId: string): Promise<JobDetail> {
  for (const deadline = Date.now() + 240_000; Date.now() < deadline; ) {
    const job = await json<JobDetail>(`/v1/jobs/${jobId}`);
    if (["completed", "failed", "cancelled"].includes(job.status)) return job;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`job ${jobId} never ended`);
}

/** Every task completed exactly once, and the stitch proved every source frame is in the output once. */
async function expectVerified(jobId: string): Promise<JobDetail> {
  const job = await untilDone(jobId);
  expect(job.error).toBeNull();
  expect(job.status).toBe("completed");
  expect(job.tasks.filter((t) => t.kind === "video").length).toBeGreaterThanOrEqual(3);
  expect(job.stitch?.frame_count).toBe(SOURCE_FRAMES);
  const { events } = await json<{ events: { type: string; data: { task_id?: string } }[] }>(
    `/v1/jobs/${jobId}/events`,
  );
  const completions = events.filter((e) => e.type === "TaskCompleted").map((e) => e.data.task_id);
  expect(completions.sort()).toEqual(job.tasks.map((t) => t.id).sort());
  return job;
}

describe("split jobs under faults: kernel + 2 workers on PostgreSQL and NATS", () => {
  it("completes, verified, although a worker holding a chunk is killed with -9", async () => {
    kernel = await start("kernel", "kernel");
    workers.push(await start("worker", "worker-a"), await start("worker", "worker-b"));
    await untilHealthyWorkers(2);
    const jobId = await submit();
    let killed: string | undefined;
    await follow(jobId, async (events) => {
      const started = events.filter((e) => e.event === "TaskStarted");
      if (killed === undefined && started.length >= 2) {
        const workerId = started.at(-1)!.data.worker_id!;
        const holder = workers.find((w) => w.output().includes(`worker ${workerId} started`));
        expect(holder).toBeDefined();
        killed = workerId;
        await holder!.kill("SIGKILL");
        return true;
      }
      return false;
    });
    expect(killed).toBeDefined();
    // a replacement for the later tests, started while the job runs on
    workers.push(await start("worker", "worker-c"));
    await expectVerified(jobId);
    // another worker took over the lost worker's chunk, as a new attempt
    const { events } = await json<{ events: { type: string; data: { message?: string } }[] }>(
      `/v1/jobs/${jobId}/events`,
    );
    expect(
      events.some((e) => e.type === "TaskFailed" && /worker (\S+ )?lost/.test(e.data.message ?? "")),
    ).toBe(true);
  }, 300_000);

  it("completes after the kernel is killed with -9 mid-job and started again; no completed chunk is encoded again", async () => {
    await untilHealthyWorkers(2);
    const jobId = await submit();
    const completedBeforeKill = new Set<string>();
    await follow(jobId, async (events) => {
      const done = events.filter((e) => e.event === "TaskCompleted");
      if (done.length >= 1) {
        for (const e of done) completedBeforeKill.add(e.data.task_id!);
        await kernel.kill("SIGKILL");
        return true;
      }
      return false;
    });
    expect(completedBeforeKill.size).toBeGreaterThanOrEqual(1);
    kernel = await start("kernel", "kernel");
    await expectVerified(jobId);
    const { events } = await json<{ events: { type: string; data: { task_id?: string } }[] }>(
      `/v1/jobs/${jobId}/events`,
    );
    for (const taskId of completedBeforeKill) {
      expect(events.filter((e) => e.type === "TaskStarted" && e.data.task_id === taskId)).toHaveLength(1);
    }
  }, 300_000);

  it("completes although NATS restarts mid-job", async () => {
    expect(nats.restart).toBeDefined();
    await untilHealthyWorkers(2);
    const jobId = await submit();
    await follow(jobId, async (events) => {
      if (events.some((e) => e.event === "TaskStarted")) {
        await nats.restart!();
        return true;
      }
      return false;
    });
    await expectVerified(jobId);
    expect(alive(kernel)).toBe(true);
  }, 300_000);
});
