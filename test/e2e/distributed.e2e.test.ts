// Distributed mode: one `webencode kernel` and two `webencode worker` processes on server PostgreSQL
// and NATS JetStream, sharing a storage volume. The worker holding the task is killed with -9; the
// job still completes, once.
import { randomBytes } from "node:crypto";
import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSse } from "../../infra/cli/apiClient.ts";
import { makeClip, probe } from "../support/mediaClip.ts";
import { startNatsServer, type TestNatsServer } from "../support/natsServer.ts";
import { type PlatformProcess, startPlatform } from "../support/platformProcess.ts";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase.ts";

let dir: string;
let database: TestDatabase;
let nats: TestNatsServer;
const processes: PlatformProcess[] = [];
const natsPrefix = `we${randomBytes(4).toString("hex")}`;
const adminToken = `we-dist-${randomBytes(16).toString("hex")}`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-dist-"));
  await chmod(dir, 0o755);
  await mkdir(join(dir, "media"));
  database = await createTestDatabase("dist");
  nats = await startNatsServer();
});

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
    WEBENCODE_SECRET: "shared-by-every-kernel-of-this-installation",
    WEBENCODE_ACK_WAIT_MS: "3000",
  };
  return startPlatform(join(dir, name), join(dir, "media"), env, {
    mode,
    args: ["--storage-dir", join(dir, "storage")],
  }).then((p) => {
    processes.push(p);
    return p;
  });
}
describe("distributed: kernel + 2 workers on PostgreSQL and NATS", () => {
  it("a job completes once although the worker holding its task is killed with -9", async () => {
    await makeClip(join(dir, "media", "talk.mp4"), { seconds: 20, width: 1280, height: 720 });
    const kernel = await start("kernel", "kernel");
    const workerA = await start("worker", "worker-a");
    const workerB = await start("worker", "worker-b");
    expect(kernel.adminToken).toBeUndefined(); // preset: never printed
    const auth = { authorization: `Bearer ${adminToken}` };

    const submitted = await fetch(`${kernel.url}/v1/jobs`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ source_url: "fs://talk.mp4", profile: "720p_h264" }),
    });
    expect(submitted.status).toBe(201);
    const { id } = (await submitted.json()) as { id: string };

    const feed = await fetch(`${kernel.url}/v1/events/stream?job=${id}&from=start`, { headers: auth });
    const events: Array<{ event: string; data: Record<string, unknown> }> = [];
    let killed: string | undefined;
    let endedAt = "0";
    for await (const message of readSse(feed)) {
      if (!message.data) continue;
      const data = JSON.parse(message.data) as Record<string, unknown>;
      events.push({ event: message.event, data });
      if (message.event === "progress" && !killed) {
        // kill the worker that holds the task, mid-encode
        const workerId = (events.find((e) => e.event === "TaskStarted")!.data.data as { worker_id: string })
          .worker_id;
        const holder = [workerA, workerB].find((w) => w.output().includes(`worker ${workerId} started`))!;
        expect(holder).toBeDefined();
        killed = workerId;
        await holder.kill("SIGKILL");
      }
      if (message.event === "JobCompleted" || message.event === "JobFailed") {
        endedAt = message.id ?? "0";
        break;
      }
    }
    const types = events.map((e) => e.event);
    expect(killed).toBeDefined();
    expect(types.at(-1)).toBe("JobCompleted");
    expect(types.filter((t) => t === "JobCompleted")).toHaveLength(1);
    expect(types.filter((t) => t === "TaskCompleted")).toHaveLength(1);
    const failed = events.find((e) => e.event === "TaskFailed")?.data.data as { message: string } | undefined;
    // released by the lease running out on the survivor, or by the liveness monitor
    expect(failed?.message).toMatch(/worker (\S+ )?lost/);
    const started = events
      .filter((e) => e.event === "TaskStarted")
      .map((e) => (e.data.data as { worker_id: string }).worker_id);
    expect(started.at(-1)).not.toBe(killed); // the survivor finished it

    const outputs = (await // read your write: the outputs as of the JobCompleted the feed showed
    (
      await fetch(`${kernel.url}/v1/jobs/${id}/outputs?min_position=${endedAt}`, { headers: auth })
    ).json()) as {
      outputs: Array<{ url: string }>;
    };
    const result = await probe(join(dir, "storage", outputs.outputs[0]!.url));
    expect(result.video?.codec).toBe("h264");
    expect(Math.abs(result.durationSec - 20)).toBeLessThanOrEqual(0.1);

    const workers = (await (await fetch(`${kernel.url}/v1/workers`, { headers: auth })).json()) as {
      workers: Array<{ id: string; capabilities: { encoders: Array<{ name: string }> } }>;
    };
    expect(workers.workers).toHaveLength(2);
    expect(workers.workers[0]!.capabilities.encoders.map((e) => e.name)).toContain("libx264");
  });

  it("two kernels at once: when the leading one is killed, the other takes over its projectors and reactors", async () => {
    const [first] = processes; // the kernel of the test above, leading every single-active role
    const second = await start("kernel", "kernel-2");
    const survivor = processes.find(
      (p) => p.output().includes("pulling tasks") && p.child.exitCode === null && p.child.signalCode === null,
    )!;
    expect(survivor).toBeDefined();
    await makeClip(join(dir, "media", "short.mp4"), { seconds: 4, width: 640, height: 360 });
    await first!.kill("SIGKILL");

    const auth = { authorization: `Bearer ${adminToken}` };
    const submitted = await fetch(`${second.url}/v1/jobs`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ source_url: "fs://short.mp4", profile: "480p_fast" }),
    });
    expect(submitted.status).toBe(201);
    const { id } = (await submitted.json()) as { id: string };
    const position = submitted.headers.get("x-webencode-position");
    const feed = await fetch(`${second.url}/v1/events/stream?job=${id}&from=start`, { headers: auth });
    let last = "";
    for await (const message of readSse(feed)) {
      if (message.event === "JobCompleted" || message.event === "JobFailed") {
        last = message.event;
        break;
      }
    }
    expect(last).toBe("JobCompleted");
    // the second kernel's projector now serves reads, including read-your-writes
    const job = await fetch(`${second.url}/v1/jobs/${id}?min_position=${position}`, { headers: auth });
    expect(job.headers.get("x-webencode-stale")).toBeNull();
    expect(((await job.json()) as { status: string }).status).not.toBe("failed");
    expect(second.output()).toMatch(/reactor job-planner leads/);
  });
});
