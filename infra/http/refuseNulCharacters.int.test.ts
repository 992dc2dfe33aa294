// A NUL character (U+0000), which PostgreSQL cannot store, in any field a request carries is refused
// with WE-JOB-001 naming the field, through the real kernel; nothing is appended to the event log.

import { chmod, mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jobStream } from "../../schemas/events/streamNames.ts";
import { makeClip } from "../../test/support/mediaClip.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/testDatabase.ts";
import { openDatabase, type PlatformDatabase } from "../platform/openDatabase.ts";
import { loadConfig } from "../platform/platformConfig.ts";
import { type Kernel, startKernel } from "../platform/startKernel.ts";
import { createMemoryProgressBus } from "../progress/memoryProgressBus.ts";
import { createMemoryWorkQueue } from "../queue/memory/memoryWorkQueue.ts";

let database: TestDatabase;
let db: PlatformDatabase;
let kernel: Kernel;
let dir: string;
let token: string;
let jobId: string;

const call = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${kernel.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(typeof body === "object" ? { "content-type": "application/json" } : {}),
    },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-nul-"));
  await chmod(dir, 0o755);
  database = await createTestDatabase("nul");
  const config = loadConfig({ port: "0", data: join(dir, "data"), "media-dir": join(dir, "media") }, {});
  db = await openDatabase({ dataDir: config.dataDir, databaseUrl: database.url });
  kernel = await startKernel(config, db, createMemoryWorkQueue(), createMemoryProgressBus(), () => {});
  const issued = await kernel.tokens.issue(
    { name: "admin", role: "admin" },
    { userId: "system", role: "system" },
  );
  if (issued._tag !== "Issued") throw new Error(issued._tag);
  token = issued.token;
  await mkdir(config.mediaDir, { recursive: true });
  await makeClip(join(config.mediaDir, "clip.mp4"), { seconds: 1, width: 160, height: 120, audio: false });
  const submitted = await call("POST", "/v1/jobs", { source_url: "fs://clip.mp4", profile: "720p_h264" });
  expect(submitted.status).toBe(201);
  jobId = submitted.body.id;
  // the planner appends to the log on its own time: let it finish before the tests compare heads
  const started = Date.now();
  const planned = async () =>
    (await db.store.readStream(jobStream.name(jobId))).some((e) => e.type === "TaskScheduled");
  while (!(await planned())) {
    if (Date.now() - started > 60_000) throw new Error("the planner did not plan the job");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
});
afterAll(async () => {
  await kernel?.stop();
  await db?.close();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe("a NUL character in a request", () => {
  const cases: Array<[what: string, method: string, path: () => string, body: unknown, field: RegExp]> = [
    ["a cancel reason", "POST", () => `/v1/jobs/${jobId}/cancel`, { reason: "stop\u0000now" }, /^reason /],
    ["a token name", "POST", () => "/v1/tokens", { name: "ci\u0000bot", role: "viewer" }, /^name /],
    [
      "a job's source URL",
      "POST",
      () => "/v1/jobs",
      { source_url: "fs://clip.mp4\u0000.txt", profile: "720p_h264" },
      /^source_url /,
    ],
    [
      "a job's profile",
      "POST",
      () => "/v1/jobs",
      { source_url: "fs://clip.mp4", profile: "720p_h264\u0000" },
      /^profile /,
    ],
    [
      "a key of a nested object",
      "POST",
      () => "/v1/jobs",
      { source_url: "fs://clip.mp4", profile: "720p_h264", publish: { "you\u0000tube": true } },
      /^publish\."you\\u0000tube" /,
    ],
    [
      "an upload's ?name=",
      "POST",
      () => "/v1/files/upload?name=clip%00.mp4",
      "bytes",
      /^query parameter name /,
    ],
    ["a query parameter", "GET", () => "/v1/jobs?status=queued%00", undefined, /^query parameter status /],
    [
      "an event-feed ticket",
      "GET",
      () => "/v1/events/stream?ticket=%00",
      undefined,
      /^query parameter ticket /,
    ],
    ["the URL path", "DELETE", () => `/v1/tokens/%00${jobId}`, undefined, /^the URL path /],
  ];
  for (const [what, method, path, body, field] of cases) {
    it(`in ${what} answers 400 WE-JOB-001 naming it, and stores nothing`, async () => {
      const head = await db.store.headPosition();
      const answer = await call(method, path(), body);
      expect(answer).toMatchObject({
        status: 400,
        body: { error: { code: "WE-JOB-001", details: expect.stringMatching(field) } },
      });
      expect(answer.body.error.details).toMatch(/NUL/);
      expect(answer.body.error.hint).toMatch(/Remove the NUL/);
      expect(await db.store.headPosition()).toBe(head);
    });
  }

  it("stores nothing from an upload named with a NUL", async () => {
    expect(await readdir(join(dir, "media", "uploads")).catch(() => [])).toEqual([]);
  });

  it("in a header (Idempotency-Key) is refused by the HTTP parser before any code reads it", async () => {
    const head = await db.store.headPosition();
    const { port } = new URL(kernel.url);
    const body = JSON.stringify({ name: "ci", role: "viewer" });
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), "127.0.0.1", () => {
        socket.write(
          `POST /v1/tokens HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n` +
            `Idempotency-Key: key\u0000one\r\nContent-Type: application/json\r\n` +
            `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
        );
      });
      let received = "";
      socket.on("data", (chunk) => {
        received += chunk.toString();
      });
      socket.on("close", () => resolve(received));
      socket.on("error", reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect(await db.store.headPosition()).toBe(head);
  });
});
