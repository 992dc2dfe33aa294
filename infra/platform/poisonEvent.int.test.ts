// One event that cannot be handled never stops the platform: a job whose planning keeps failing ends
// failed while the job behind it completes, and a malformed event is parked where an admin sees it.
import { randomUUID } from "node:crypto";
import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeClip } from "../../test/support/mediaClip.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/testDatabase.ts";
import type { EncodeWorker } from "../../workers/encode/encodeWorker.ts";
import { createMemoryProgressBus } from "../progress/memoryProgressBus.ts";
import { createMemoryWorkQueue } from "../queue/memory/memoryWorkQueue.ts";
import { openDatabase, type PlatformDatabase } from "./openDatabase.ts";
import { loadConfig } from "./platformConfig.ts";
import { type Kernel, startKernel } from "./startKernel.ts";
import { startWorkers } from "./startWorkers.ts";

let database: TestDatabase;
let db: PlatformDatabase;
let kernel: Kernel;
let workers: EncodeWorker[] = [];
let dir: string;
let forbidding: Server;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-poison-"));
  await chmod(dir, 0o755);
  await mkdir(join(dir, "media"));
  await makeClip(join(dir, "media", "short.mp4"), { seconds: 2, width: 320, height: 240 });
  database = await createTestDatabase("poison");
  forbidding = createServer((_, response) => response.writeHead(403).end("forbidden"));
  await new Promise<void>((resolve) => forbidding.listen(0, "127.0.0.1", resolve));
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await kernel?.stop();
  await db?.close();
  await database?.drop();
  forbidding?.close();
  await rm(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("a poison event", () => {
  it("fails its own job while a valid job submitted after it completes, and a malformed event is parked in view", async () => {
    const config = loadConfig(
      { port: "0", data: join(dir, "data"), "media-dir": join(dir, "media") },
      { WEBENCODE_ALLOW_SOURCE_HOSTS: "127.0.0.1", WEBENCODE_PROCESSOR_RETRY_MS: "50" },
    );
    db = await openDatabase({ dataDir: config.dataDir, databaseUrl: database.url });
    const queue = createMemoryWorkQueue();
    const bus = createMemoryProgressBus();
    kernel = await startKernel(config, db, queue, bus, () => {});
    workers = await startWorkers(config, db.store, queue, bus, () => {});
    const issued = await kernel.tokens.issue(
      { name: "admin", role: "admin" },
      { userId: "system", role: "system" },
    );
    if (issued._tag !== "Issued") throw new Error(issued._tag);
    const headers = { authorization: `Bearer ${issued.token}`, "content-type": "application/json" };
    const submit = async (source_url: string) => {
      const response = await fetch(`${kernel.url}/v1/jobs`, {
        method: "POST",
        headers,
        body: JSON.stringify({ source_url, profile: "480p_fast" }),
      });
      expect(response.status).toBe(201);
      return ((await response.json()) as { id: string }).id;
    };
    type Job = { status: string; error: { code: string; message: string } | null };
    const ended = async (id: string): Promise<Job> => {
      for (let i = 0; i < 600; i++) {
        const response = await fetch(`${kernel.url}/v1/jobs/${id}`, { headers });
        const job = (await response.json()) as Job;
        if (["completed", "failed", "cancelled"].includes(job.status)) return job;
        await sleep(100);
      }
      throw new Error(`job ${id} never ended`);
    };

    // the source answers 403: probing it fails every time, on an event the planner cannot get past
    const { port } = forbidding.address() as { port: number };
    const poisoned = await submit(`http://127.0.0.1:${port}/clip.mp4`);
    const valid = await submit("fs://short.mp4");
    expect(await ended(valid)).toMatchObject({ status: "completed" });
    const failed = await ended(poisoned);
    expect(failed.status).toBe("failed");
    expect(failed.error?.code).toMatch(/^WE-JOB-00[278]$/);
    expect(failed.error?.message).toMatch(/403/);

    // a job event the jobs projector cannot read: parked, listed for admins, and the projector goes on
    const badId = randomUUID();
    await db.store.append(
      `job-${randomUUID()}`,
      [{ id: badId, type: "JobSubmitted", data: { jobId: 42 }, metadata: {} }],
      { expected: "no_stream" },
    );
    const after = await submit("fs://short.mp4");
    expect(await ended(after)).toMatchObject({ status: "completed" });
    const listed = await fetch(`${kernel.url}/v1/admin/dead-letters?limit=10`, { headers });
    expect(listed.status).toBe(200);
    expect(await listed.json()).toEqual({
      dead_letters: [
        {
          id: expect.any(String),
          kind: "projector",
          processor: "jobs",
          position: expect.any(Number),
          event_id: badId,
          stream: expect.stringMatching(/^job-/),
          type: "JobSubmitted",
          error: expect.stringMatching(/malformed event/),
          attempts: 1,
          first_failed_at: expect.any(String),
          last_failed_at: expect.any(String),
          parked_at: expect.any(String),
        },
      ],
      pagination: { total: 1, limit: 10, offset: 0 },
    });

    const ready = await fetch(`${kernel.url}/ready`);
    expect(ready.status).toBe(200);
    const { checks } = (await ready.json()) as {
      checks: {
        processors: {
          ok: boolean;
          detail: { processors: Array<{ kind: string; name: string; parked: number; stuck: boolean }> };
        };
      };
    };
    expect(checks.processors.ok).toBe(true);
    const byName = new Map(checks.processors.detail.processors.map((p) => [`${p.kind} ${p.name}`, p]));
    expect(byName.get("projector jobs")).toMatchObject({ parked: 1, stuck: false });
    expect(byName.get("reactor job-planner")).toMatchObject({
      state: "running",
      lag: expect.any(Number),
      parked: 0,
      stuck: false,
    });
  });
});
