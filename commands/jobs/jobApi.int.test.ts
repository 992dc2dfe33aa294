// The job API through HTTP against a real event store and projector (no workers: jobs stay queued).

import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMiddleware } from "hono/factory";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  openPostgresEventStore,
  type PostgresEventStore,
} from "../../infra/eventstore/postgres/postgresEventStore.ts";
import { createApp } from "../../infra/http/createApp.ts";
import type { HttpEnv, Role } from "../../infra/http/httpEnv.ts";
import { idempotency, idempotencyMigrations } from "../../infra/http/idempotency.ts";
import { migrate } from "../../infra/postgres/migrate.ts";
import { type ProjectorRunner, startProjector } from "../../infra/processors/runProjector.ts";
import { createFsStorage } from "../../plugins/storage-fs/index.ts";
import { createJobQueries } from "../../projections/jobs/jobQueries.ts";
import { jobQueryRoutes } from "../../projections/jobs/jobQueryRoutes.ts";
import { jobsProjector } from "../../projections/jobs/jobsProjector.ts";
import { type FsMediaStorage, fsMediaStorage } from "../../test/support/fsMediaStorage.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/testDatabase.ts";
import { seedBuiltInProfiles } from "../profiles/seedBuiltInProfiles.ts";
import { executeJobCommand } from "./executeJobCommand.ts";
import { jobRoutes } from "./jobRoutes.ts";

let database: TestDatabase;
let store: PostgresEventStore;
let pool: pg.Pool;
let runner: ProjectorRunner;
let mediaRoot: string;
let storage: FsMediaStorage;
let app: ReturnType<typeof createApp>;

// Authentication has its own tests; here the role comes from a header so every role can be tried.
const roleFromHeader = createMiddleware<HttpEnv>(async (c, next) => {
  const role = (c.req.header("x-test-role") as Role) ?? "operator";
  c.set("actor", { userId: `u-${role}`, role });
  await next();
});

beforeAll(async () => {
  database = await createTestDatabase("jobapi");
  store = await openPostgresEventStore({ url: database.url, pollMs: 50 });
  pool = new pg.Pool({ connectionString: database.url });
  runner = startProjector({ store, pool, schema: "rm", projector: jobsProjector });
  await seedBuiltInProfiles(store, () => new Date());
  mediaRoot = await mkdtemp(join(tmpdir(), "webencode-media-"));
  await mkdir(join(mediaRoot, "clips"));
  await writeFile(join(mediaRoot, "clips", "a.mp4"), "not really a video: the planner would find out");
  await symlink("/etc/hostname", join(mediaRoot, "clips", "escape.mp4"));
  storage = await fsMediaStorage({ mediaRoot, storageRoot: join(mediaRoot, ".storage") });
  const outputs = await createFsStorage({ root: join(mediaRoot, "storage"), signing_key: "t".repeat(32) });
  await migrate(pool, "api", idempotencyMigrations("api"));
  app = createApp({
    authenticate: roleFromHeader,
    afterAuthentication: [idempotency(pool, "api")],
    publicRoutes: [],
    routes: [
      jobRoutes({
        store,
        newId: randomUUID,
        now: () => new Date(),
        storage,
        remoteSources: { lookup: async () => [{ address: "93.184.215.14", family: 4 }] },
      }),
      jobQueryRoutes({
        queries: createJobQueries(pool, "rm", () => []),
        waitForPosition: (p, t) => runner.waitForPosition(p, t),
        outputs,
      }),
    ],
  });
});
afterAll(async () => {
  await runner.stop();
  await store.close();
  await pool.end();
  await storage.close();
  await database.drop();
  await rm(mediaRoot, { recursive: true, force: true });
});

const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  app.request(path, {
    method,
    headers: { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });

const submit = (body: unknown = { source_url: "fs://clips/a.mp4", profile: "720p_h264" }, headers = {}) =>
  call("POST", "/v1/jobs", body, headers);

describe("job API", () => {
  it("submits a job and reads it back at once through min_position", async () => {
    const response = await submit();
    expect(response.status).toBe(201);
    const created = (await response.json()) as { id: string; status: string; eta_seconds: null };
    expect(created).toEqual({ id: expect.any(String), status: "queued", eta_seconds: null });
    const position = response.headers.get("x-webencode-position");
    expect(Number(position)).toBeGreaterThan(0);

    const read = await call("GET", `/v1/jobs/${created.id}?min_position=${position}`);
    expect(read.status).toBe(200);
    expect(read.headers.get("x-webencode-stale")).toBeNull();
    const job = (await read.json()) as Record<string, unknown>;
    expect(job).toMatchObject({
      id: created.id,
      status: "queued",
      progress_pct: 0,
      tasks_total: 0,
      tasks_completed: 0,
      profile: "720p_h264",
      source_url: "fs://clips/a.mp4",
      source_type: "url",
      eta_seconds: null,
      error: null,
    });
    expect((job.timeline as Array<{ type: string }>).map((e) => e.type)).toEqual(["JobSubmitted"]);
  });

  it("lists with filters, sort and pagination", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(((await (await submit()).json()) as { id: string }).id);
    const cancel = await call("POST", `/v1/jobs/${ids[0]}/cancel`, { reason: "changed my mind" });
    const position = cancel.headers.get("x-webencode-position");
    const page = await call(
      "GET",
      `/v1/jobs?status=queued&limit=2&sort=-created_at&min_position=${position}`,
    );
    const body = (await page.json()) as {
      jobs: Array<{ id: string; status: string }>;
      pagination: { total: number };
    };
    expect(body.jobs).toHaveLength(2);
    expect(body.jobs.every((j) => j.status === "queued")).toBe(true);
    expect(body.jobs[0]!.id).toBe(ids[2]);
    const cancelled = (await (await call("GET", "/v1/jobs?status=cancelled")).json()) as {
      jobs: Array<{ id: string }>;
    };
    expect(cancelled.jobs.map((j) => j.id)).toContain(ids[0]);
    expect((await call("GET", "/v1/jobs?limit=1000")).status).toBe(400);
  });

  it("cancel, retry and delete follow the job's lifecycle with the spec's codes", async () => {
    const { id } = (await (await submit()).json()) as { id: string };
    expect((await call("POST", `/v1/jobs/${id}/cancel`)).status).toBe(200);
    const again = await call("POST", `/v1/jobs/${id}/cancel`);
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe("WE-JOB-005");

    const retry = await call("POST", `/v1/jobs/${id}/retry`);
    expect(retry.status).toBe(201);
    const retried = (await retry.json()) as { id: string; retry_of: string; status: string };
    expect(retried).toMatchObject({ retry_of: id, status: "queued", source_url: "fs://clips/a.mp4" });
    const position = retry.headers.get("x-webencode-position");
    const newJob = (await (await call("GET", `/v1/jobs/${retried.id}?min_position=${position}`)).json()) as {
      retry_of: string;
    };
    expect(newJob.retry_of).toBe(id);
    const oldJob = (await (await call("GET", `/v1/jobs/${id}`)).json()) as { retried_as: string };
    expect(oldJob.retried_as).toBe(retried.id);

    const deleted = await call("DELETE", `/v1/jobs/${retried.id}`);
    expect(deleted.status).toBe(204);
    const gone = await call(
      "GET",
      `/v1/jobs/${retried.id}?min_position=${deleted.headers.get("x-webencode-position")}`,
    );
    expect(gone.status).toBe(404);
    const events = await store.readStream(`job-${retried.id}`);
    expect(events.map((e) => e.type)).toEqual(["JobSubmitted", "JobCancelled", "JobDeleted"]); // kept in the log
  });

  it("records prefer_gpu on the job as asked, leaves it out when not asked, and keeps it on a retry", async () => {
    const submittedData = async (jobId: string) => {
      const [submitted] = await store.readStream(`job-${jobId}`);
      expect(submitted?.type).toBe("JobSubmitted");
      return submitted?.data as Record<string, unknown>;
    };
    const idOf = async (response: Response) => {
      expect(response.status).toBe(201);
      return ((await response.json()) as { id: string }).id;
    };
    const body = { source_url: "fs://clips/a.mp4", profile: "720p_h264" };
    const gpu = await idOf(await submit({ ...body, prefer_gpu: true }));
    const software = await idOf(await submit({ ...body, prefer_gpu: false }));
    const profileDecides = await idOf(await submit(body));
    expect(await submittedData(gpu)).toMatchObject({ preferGpu: true });
    expect(await submittedData(software)).toMatchObject({ preferGpu: false });
    expect(await submittedData(profileDecides)).not.toHaveProperty("preferGpu");

    for (const [id, shown] of [
      [gpu, true],
      [software, false],
      [profileDecides, null],
    ] as const) {
      const read = await call("GET", `/v1/jobs/${id}?min_position=${await store.headPosition()}`);
      expect(((await read.json()) as { prefer_gpu: unknown }).prefer_gpu).toBe(shown);
    }

    expect((await call("POST", `/v1/jobs/${gpu}/cancel`)).status).toBe(200);
    const retried = await idOf(await call("POST", `/v1/jobs/${gpu}/retry`));
    expect(await submittedData(retried)).toMatchObject({ preferGpu: true, retryOf: gpu });
  });

  it("answers bad input with the spec's envelope and a WE code, storing nothing", async () => {
    const head = await store.headPosition();
    const cases: Array<[Response, number, string, RegExp]> = [
      [await submit({ profile: "720p_h264" }), 400, "WE-JOB-001", /source_url/],
      [await submit("{not json"), 400, "WE-JOB-001", /not valid JSON/],
      [
        await submit({ source_url: "fs://clips/a.mp4", profile: "720p_h264", colour: "red" }),
        400,
        "WE-JOB-001",
        /colour/,
      ],
      [await submit({ source_url: "fs://clips/a.mp4", profile: "8k_magic" }), 400, "WE-JOB-003", /8k_magic/],
      [
        await submit({ source_url: "fs://clips/a.mp4", profile: "720p_h264", prefer_gpu: "yes" }),
        400,
        "WE-JOB-001",
        /prefer_gpu/,
      ],
      [
        await submit({ source_url: "fs://clips/missing.mp4", profile: "720p_h264" }),
        400,
        "WE-JOB-002",
        /does not exist/,
      ],
      [await submit({ source_url: "fs://../../etc/passwd", profile: "720p_h264" }), 400, "WE-JOB-002", /./],
      [await submit({ source_url: "fs://clips/escape.mp4", profile: "720p_h264" }), 400, "WE-JOB-002", /./],
      [
        await submit({ source_url: "http://169.254.169.254/latest", profile: "720p_h264" }),
        400,
        "WE-JOB-002",
        /./,
      ],
      [await submit({ source_url: "file:///etc/passwd", profile: "720p_h264" }), 400, "WE-JOB-002", /file/],
      [
        await submit({ source_url: "fs://clips/a.mp4", profile: "720p_h264", publish: { youtube: {} } }),
        422,
        "WE-JOB-001",
        /publish is not available/,
      ],
      [await call("GET", `/v1/jobs/${randomUUID()}`), 404, "WE-JOB-004", /No job exists/],
      [await call("GET", "/v1/jobs/not-a-uuid"), 404, "WE-JOB-004", /not-a-uuid/],
      [await call("POST", `/v1/jobs/${randomUUID()}/cancel`), 404, "WE-JOB-004", /./],
      [await submit(undefined, { "x-test-role": "viewer" }), 403, "WE-AUTH-003", /operator/],
      [
        await submit({ source_url: "x".repeat(2 * 1024 * 1024), profile: "720p_h264" }),
        413,
        "WE-JOB-001",
        /larger than/,
      ],
    ];
    for (const [response, status, code, details] of cases) {
      const body = (await response.json()) as { error: Record<string, string> };
      expect({ status: response.status, code: body.error.code }).toEqual({ status, code });
      expect(body.error.details).toMatch(details);
      expect(body.error).toMatchObject({
        message: expect.any(String),
        hint: expect.any(String),
        request_id: expect.stringMatching(/^req-/),
        timestamp: expect.any(String),
      });
    }
    expect(await store.headPosition()).toBe(head);
  });

  it("Idempotency-Key: the same request returns the first response; another request with the key is refused", async () => {
    const key = randomUUID();
    const body = { source_url: "fs://clips/a.mp4", profile: "480p_fast" };
    const first = await submit(body, { "idempotency-key": key });
    const again = await submit(body, { "idempotency-key": key });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    const created = (await first.json()) as { id: string };
    expect(await again.json()).toEqual(created);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.headers.get("x-webencode-position")).toBe(first.headers.get("x-webencode-position"));
    const jobs = (await store.readAll({ filter: { eventTypes: ["JobSubmitted"] }, maxCount: 10_000 })).filter(
      (e) =>
        (e.data as { profileId: string }).profileId === "480p_fast" && e.streamId === `job-${created.id}`,
    );
    expect(jobs).toHaveLength(1);

    const other = await submit({ ...body, profile: "720p_h264" }, { "idempotency-key": key });
    expect(other.status).toBe(422);
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe("WE-JOB-001");
    // keys belong to their user
    const otherUser = await submit(body, { "idempotency-key": key, "x-test-role": "admin" });
    expect(otherUser.status).toBe(201);
    expect(otherUser.headers.get("idempotent-replayed")).toBeNull();
    expect(((await otherUser.json()) as { id: string }).id).not.toBe(created.id);
  });

  it("shows each task attempt with its worker, outcome and the tail of ffmpeg's stderr", async () => {
    const { id } = (await (await submit()).json()) as { id: string };
    const deps = { store, newId: randomUUID, now: () => new Date() };
    const context = {
      correlationId: randomUUID(),
      causationId: randomUUID(),
      actor: { userId: "system", role: "system" as const },
    };
    const taskId = randomUUID();
    const run = async (command: Parameters<typeof executeJobCommand>[2]) => {
      const result = await executeJobCommand(deps, id, command, context);
      expect(result._tag).toBe("Executed");
      return result._tag === "Executed" ? result.position : 0;
    };
    await run({
      type: "RecordProbe",
      data: {
        durationSec: 10,
        format: "mov,mp4",
        sizeBytes: 1000,
        video: {
          codec: "h264",
          width: 1280,
          height: 720,
          fps: 30,
          rotation: 0,
          vfr: false,
          pixFmt: "yuv420p",
        },
        audio: null,
      },
    });
    await run({
      type: "PlanJob",
      data: { tasks: [{ taskId, sequenceIndex: 0, startTimeSec: 0, endTimeSec: 10 }] },
    });
    await run({ type: "StartTask", data: { taskId, attempt: 1, workerId: "w-1" } });
    const position = await run({
      type: "FailTask",
      data: {
        taskId,
        attempt: 1,
        exitClass: "transient",
        message: "ffmpeg exited with code 1",
        stderrTail: "[aac @ 0x1] Too many bits per frame requested\nConversion failed!",
        now: new Date().toISOString(),
      },
    });
    const job = (await (await call("GET", `/v1/jobs/${id}?min_position=${position}`)).json()) as {
      tasks: Array<{
        attempt: number;
        status: string;
        not_before: string;
        attempts: Array<Record<string, unknown>>;
      }>;
    };
    expect(job.tasks[0]).toMatchObject({ attempt: 2, status: "scheduled", not_before: expect.any(String) });
    expect(job.tasks[0]!.attempts).toEqual([
      expect.objectContaining({
        attempt: 1,
        status: "failed",
        worker_id: "w-1",
        exit_class: "transient",
        error_message: "ffmpeg exited with code 1",
        stderr_tail: "[aac @ 0x1] Too many bits per frame requested\nConversion failed!",
      }),
      expect.objectContaining({ attempt: 2, status: "scheduled", worker_id: null, stderr_tail: null }),
    ]);
  });

  it("accepts a public http(s) source", async () => {
    const response = await submit({
      source_url: "https://videos.example.com/talk.mp4",
      profile: "480p_fast",
    });
    expect(response.status).toBe(201);
  });
});
