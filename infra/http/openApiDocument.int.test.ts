// The OpenAPI document against a real kernel with a real encode worker: every route the app serves is
// documented and every documented route is served, and real answers of every route (successes and
// failures) satisfy the schema documented for their status.
import { randomUUID } from "node:crypto";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtInProfiles } from "../../domain/profile/builtInProfiles.ts";
import { recordingKeys } from "../../domain/stream/recordingKeys.ts";
import { apiRoutes } from "../../schemas/api/apiRoutes.ts";
import { errorEnvelopeSchema } from "../../schemas/api/errorEnvelope.ts";
import { jobDetailSchema } from "../../schemas/api/jobResponses.ts";
import { toProfileDocument } from "../../schemas/api/profileDocument.ts";
import {
  answerProblems,
  compareRoutes,
  documentedRouteOf,
  readAnswer,
  routeKey,
} from "../../test/support/apiContract.ts";
import { makeTestClip } from "../../test/support/makeTestClip.ts";
import { type S3rverProcess, s3PluginsToml, startS3rver } from "../../test/support/s3rverProcess.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/testDatabase.ts";
import type { EncodeWorker } from "../../workers/encode/encodeWorker.ts";
import { openDatabase, type PlatformDatabase } from "../platform/openDatabase.ts";
import { loadConfig } from "../platform/platformConfig.ts";
import { type Kernel, startKernel } from "../platform/startKernel.ts";
import { startWorkers } from "../platform/startWorkers.ts";
import { createMemoryProgressBus } from "../progress/memoryProgressBus.ts";
import { createMemoryWorkQueue } from "../queue/memory/memoryWorkQueue.ts";
import type { Role } from "./httpEnv.ts";

let dir: string;
let mediaDir: string;
let storageDir: string;
let s3: S3rverProcess;
let database: TestDatabase;
let db: PlatformDatabase;
let kernel: Kernel;
let workers: EncodeWorker[] = [];
const tokens = {} as Record<Role, string>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-openapi-"));
  await chmod(dir, 0o755);
  mediaDir = join(dir, "media");
  await mkdir(mediaDir, { recursive: true });
  await makeTestClip(mediaDir, "clip.mp4", { durationSec: 1, audio: ["sine"] });
  s3 = await startS3rver("webencode-openapi");
  database = await createTestDatabase("openapi");
  const config = loadConfig({ port: "0", data: join(dir, "data"), "media-dir": mediaDir }, {});
  storageDir = config.storageDir;
  await mkdir(config.dataDir, { recursive: true });
  await writeFile(join(config.dataDir, "plugins.toml"), s3PluginsToml(s3));
  db = await openDatabase({ dataDir: config.dataDir, databaseUrl: database.url });
  const queue = createMemoryWorkQueue();
  const progressBus = createMemoryProgressBus();
  kernel = await startKernel(config, db, queue, progressBus, () => {});
  workers = await startWorkers(config, db.store, queue, progressBus, () => {});
  for (const role of ["viewer", "operator", "admin"] as const) {
    const issued = await kernel.tokens.issue({ name: role, role }, { userId: "system", role: "system" });
    if (issued._tag !== "Issued") throw new Error(issued._tag);
    tokens[role] = issued.token;
  }
}, 60_000);
afterAll(async () => {
  for (const worker of workers) await worker.stop();
  await kernel?.stop();
  await db?.close();
  await database?.drop();
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("the OpenAPI document", () => {
  it("documents every route the kernel serves, and nothing it does not serve", () => {
    expect(compareRoutes(kernel.app, apiRoutes)).toEqual({ undocumented: [], unserved: [] });
  });

  it("is served as OpenAPI 3.1 with every documented path and method, and shared components", async () => {
    const document = (await (await fetch(`${kernel.url}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(document.openapi).toBe("3.1.0");
    const inDocument = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => routeKey(method, path)),
    );
    expect(inDocument.sort()).toEqual(apiRoutes.map((r) => routeKey(r.method, r.path)).sort());
    for (const route of apiRoutes) {
      const operation = document.paths[route.path]![route.method]!;
      expect(Object.keys(operation.responses).sort()).toEqual(
        [...Object.keys(route.responses), "default"].sort(),
      );
    }
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining(["ErrorEnvelope", "Job", "JobDetail", "Token", "Worker"]),
    );
  });
});

describe("real answers against their documented schemas", () => {
  const answered = new Set<string>();
  const problems: string[] = [];

  /** Sends a request to the kernel and holds its answer to the route's documentation. */
  async function call(
    method: string,
    path: string,
    options: {
      token?: Role | null;
      json?: unknown;
      body?: RequestInit["body"];
      headers?: Record<string, string>;
      /** Straight into the app, not over a socket: the server answers an oversized body before it is sent. */
      inProcess?: boolean;
    } = {},
  ): Promise<Response> {
    const token = options.token === undefined ? "admin" : options.token;
    const send = options.inProcess ? kernel.app.request : fetch;
    const sent = await send(new URL(path, kernel.url), {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${tokens[token]}` } : {}),
        ...(options.json === undefined ? {} : { "content-type": "application/json" }),
        ...options.headers,
      },
      ...(options.json === undefined ? {} : { body: JSON.stringify(options.json) }),
      ...(options.body === undefined ? {} : { body: options.body }),
    });
    const { answer, response } = await readAnswer(sent);
    const route = documentedRouteOf(apiRoutes, method, path);
    if (route === undefined) {
      problems.push(`${method} ${path}: no documented route`);
      return response;
    }
    answered.add(`${routeKey(route.method, route.path)} ${response.status}`);
    problems.push(...answerProblems(route, answer));
    return response;
  }
  const jsonOf = async <T>(response: Response) => (await response.json()) as T;

  it("health, readiness, the document and its docs page", async () => {
    expect((await call("GET", "/health", { token: null })).status).toBe(200);
    expect((await call("GET", "/ready", { token: null })).status).toBe(200);
    expect((await call("GET", "/openapi.json", { token: null })).status).toBe(200);
    expect((await call("GET", "/docs", { token: null })).status).toBe(200);
    const assets = "/docs/assets/swagger-ui-dist";
    expect((await call("GET", `${assets}/swagger-ui.css`, { token: null })).status).toBe(200);
    expect((await call("GET", `${assets}/swagger-ui-bundle.js`, { token: null })).status).toBe(200);
    expect((await call("GET", `${assets}/package.json`, { token: null })).status).toBe(404);
    expect(problems).toEqual([]);
  });

  it("the files API over storage-fs and storage-s3: capabilities, roots, browse, uploads, signed uploads", async () => {
    const clip = await readFile(join(mediaDir, "clip.mp4"));
    expect((await call("GET", "/v1/files/capabilities", { token: "viewer" })).status).toBe(200);
    expect((await call("GET", "/v1/files/roots")).status).toBe(200);
    const raw = await call("POST", "/v1/files/upload?name=raw.mp4", {
      body: clip,
      headers: { "content-type": "application/octet-stream" },
    });
    expect(raw.status).toBe(201);
    const form = new FormData();
    form.set("object_key", "form.mp4");
    form.set("file", new Blob([clip]), "form.mp4");
    expect((await call("POST", "/v1/files/upload", { body: form })).status).toBe(201);
    const toS3 = new FormData();
    toS3.set("plugin_id", "storage-s3");
    toS3.set("object_key", "incoming/form.mp4");
    toS3.set("file", new Blob([clip]), "form.mp4");
    expect((await call("POST", "/v1/files/upload", { body: toS3 })).status).toBe(201);
    expect((await call("GET", "/v1/files/browse?path=uploads&media_only=true")).status).toBe(200);
    expect((await call("GET", "/v1/files/browse?plugin=storage-s3&path=incoming")).status).toBe(200);
    const signed = await call("POST", "/v1/files/upload-url", { json: { object_key: "uploads/signed.mp4" } });
    expect(signed.status).toBe(201);
    const { upload_url } = await jsonOf<{ upload_url: string }>(signed);
    expect((await call("PUT", upload_url, { token: null, body: clip })).status).toBe(201);
    expect((await call("PUT", `${upload_url}x`, { token: null, body: clip })).status).toBe(403);
    const presigned = await call("POST", "/v1/files/upload-url", {
      json: { plugin_id: "storage-s3", object_key: "incoming/presigned.mp4" },
    });
    expect(presigned.status).toBe(201);
    // failures: no file name, an unknown plugin, a folder that is not there
    expect((await call("POST", "/v1/files/upload", { body: clip })).status).toBe(400);
    expect((await call("GET", "/v1/files/browse?plugin=storage-none")).status).toBe(404);
    expect((await call("GET", "/v1/files/browse?path=nowhere")).status).toBe(404);
    expect(problems).toEqual([]);
  });

  it("a job from submission to its signed download, retried, cancelled, deleted; and their failures", async () => {
    const submitted = await call("POST", "/v1/jobs", {
      token: "operator",
      json: { source_url: "fs://clip.mp4", profile: "480p_fast" },
    });
    expect(submitted.status).toBe(201);
    const { id } = await jsonOf<{ id: string }>(submitted);
    const position = submitted.headers.get("x-webencode-position");
    expect((await call("GET", `/v1/jobs?min_position=${position}`, { token: "viewer" })).status).toBe(200);
    expect((await call("GET", "/v1/stats/jobs?hours=6", { token: "viewer" })).status).toBe(200);
    expect((await call("GET", "/v1/stats/jobs?hours=0", { token: "viewer" })).status).toBe(400);
    let job = jobDetailSchema.parse(await (await call("GET", `/v1/jobs/${id}`, { token: "viewer" })).json());
    for (const deadline = Date.now() + 60_000; job.status !== "completed"; ) {
      expect(job.status).not.toBe("failed");
      if (Date.now() > deadline) throw new Error(`job still ${job.status}`);
      // the worker's answers while it works are checked too
      expect((await call("GET", "/v1/workers", { token: "viewer" })).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 200));
      job = jobDetailSchema.parse(await (await call("GET", `/v1/jobs/${id}`, { token: "viewer" })).json());
    }
    expect(job.tasks.length).toBeGreaterThan(0);
    expect(job.outputs.length).toBeGreaterThan(0);
    const outputs = await call("GET", `/v1/jobs/${id}/outputs`, { token: "viewer" });
    expect(outputs.status).toBe(200);
    expect((await call("GET", `/v1/jobs/${id}/events`, { token: "viewer" })).status).toBe(200);
    expect((await call("GET", `/v1/jobs/${randomUUID()}/events`, { token: "viewer" })).status).toBe(404);
    const download = (await jsonOf<{ outputs: Array<{ download_url: string }> }>(outputs)).outputs[0]!
      .download_url;
    const link = download.slice(new URL(download).origin.length);
    expect((await call("GET", link, { token: null })).status).toBe(200);
    expect((await call("HEAD", link, { token: null })).status).toBe(200);
    expect((await call("GET", link, { token: null, headers: { range: "bytes=0-99" } })).status).toBe(206);
    expect((await call("GET", link, { token: null, headers: { range: "bytes=999999999-" } })).status).toBe(
      416,
    );
    const forged = new URL(link, kernel.url);
    forged.searchParams.set("signature", "forged");
    expect((await call("GET", `${forged.pathname}${forged.search}`, { token: null })).status).toBe(401);
    // a completed job cannot be cancelled
    expect((await call("POST", `/v1/jobs/${id}/cancel`, { token: "operator" })).status).toBe(409);

    const retried = await call("POST", `/v1/jobs/${id}/retry`, { token: "operator" });
    expect(retried.status).toBe(201);
    const again = (await jsonOf<{ id: string }>(retried)).id;
    const cancelled = await call("POST", `/v1/jobs/${again}/cancel`, {
      token: "operator",
      json: { reason: "testing the document" },
    });
    expect(cancelled.status).toBe(200);
    const deleted = await call("DELETE", `/v1/jobs/${again}`, { token: "operator" });
    expect(deleted.status).toBe(204);
    const deletedAt = deleted.headers.get("x-webencode-position");
    expect(
      (await call("GET", `/v1/jobs/${again}?min_position=${deletedAt}`, { token: "viewer" })).status,
    ).toBe(404);

    // failures in the envelope
    const unknown = randomUUID();
    expect((await call("GET", `/v1/jobs/${unknown}`)).status).toBe(404);
    expect((await call("GET", `/v1/jobs/${unknown}/outputs`)).status).toBe(404);
    expect((await call("POST", `/v1/jobs/${unknown}/cancel`)).status).toBe(404);
    expect((await call("POST", `/v1/jobs/${unknown}/retry`)).status).toBe(404);
    expect((await call("DELETE", `/v1/jobs/${unknown}`)).status).toBe(404);
    expect((await call("POST", "/v1/jobs", { json: { source_url: "fs://clip.mp4" } })).status).toBe(400);
    expect(
      (await call("POST", "/v1/jobs", { json: { profile: "480p_fast", source_url: 1, x: 2 } })).status,
    ).toBe(400);
    expect(
      (
        await call("POST", "/v1/jobs", {
          json: { source_url: "fs://clip.mp4", profile: "480p_fast", publish: {} },
        })
      ).status,
    ).toBe(422);
    expect((await call("GET", "/v1/jobs?colour=red")).status).toBe(400);
    expect((await call("GET", `/v1/jobs/${id}?min_position=-1`)).status).toBe(400);
    const key = { "idempotency-key": randomUUID() };
    const body = { source_url: "fs://clip.mp4", profile: "480p_fast" };
    expect((await call("POST", "/v1/jobs", { json: body, headers: key })).status).toBe(201);
    expect(
      (await call("POST", "/v1/jobs", { json: { ...body, profile: "720p_h264" }, headers: key })).status,
    ).toBe(422);
    const huge = { source_url: "x".repeat(2 * 1024 * 1024), profile: "480p_fast" };
    expect((await call("POST", "/v1/jobs", { json: huge, inProcess: true })).status).toBe(413);
    expect((await call("GET", "/v1/jobs", { token: null })).status).toBe(401);
    expect((await call("POST", "/v1/jobs", { token: "viewer", json: {} })).status).toBe(403);
    expect(problems).toEqual([]);
  }, 90_000);

  it("tokens, the feed's ticket and the feed, profiles, workers, dead letters, plugins", async () => {
    const created = await call("POST", "/v1/tokens", { json: { name: "ci", role: "operator" } });
    expect(created.status).toBe(201);
    const { id } = await jsonOf<{ id: string }>(created);
    expect((await call("GET", "/v1/tokens")).status).toBe(200);
    expect((await call("DELETE", `/v1/tokens/${id}`)).status).toBe(204);
    expect((await call("DELETE", `/v1/tokens/${id}`)).status).toBe(409);
    expect((await call("DELETE", `/v1/tokens/${randomUUID()}`)).status).toBe(404);
    expect((await call("POST", "/v1/tokens", { json: { name: "ci", role: "root" } })).status).toBe(400);
    expect((await call("GET", "/v1/tokens", { token: "operator" })).status).toBe(403);

    const signedIn = await call("POST", "/v1/auth/session", { token: null, json: { token: tokens.viewer } });
    expect(signedIn.status).toBe(201);
    const cookie = signedIn.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    expect((await call("GET", "/v1/auth/session", { token: null, headers: { cookie } })).status).toBe(200);
    expect((await call("DELETE", "/v1/auth/session", { token: null, headers: { cookie } })).status).toBe(204);
    expect((await call("GET", "/v1/auth/session", { token: null })).status).toBe(401);
    expect((await call("POST", "/v1/auth/session", { token: null, json: { token: "we_nope" } })).status).toBe(
      401,
    );

    const ticket = await call("POST", "/v1/events/ticket", { token: "viewer" });
    expect(ticket.status).toBe(200);
    const feed = await call(
      "GET",
      `/v1/events/stream?ticket=${encodeURIComponent((await jsonOf<{ ticket: string }>(ticket)).ticket)}`,
      { token: null },
    );
    expect(feed.status).toBe(200);
    await feed.body?.cancel();
    expect((await call("GET", "/v1/events/stream?from=middle")).status).toBe(400);

    expect((await call("GET", "/v1/profiles", { token: "viewer" })).status).toBe(200);
    expect((await call("GET", "/v1/profiles/720p_h264", { token: "viewer" })).status).toBe(200);
    const document = toProfileDocument(builtInProfiles["720p_h264"]!);
    const edited = { ...document, description: "edited" };
    expect((await call("GET", "/v1/profiles/nothing_here", { token: "viewer" })).status).toBe(404);
    expect((await call("POST", "/v1/profiles", { json: { ...document, id: "contract" } })).status).toBe(201);
    expect((await call("POST", "/v1/profiles", { json: { ...document, id: "contract" } })).status).toBe(409);
    expect((await call("POST", "/v1/profiles", { json: { ...document, id: "x", preset: 1 } })).status).toBe(
      400,
    );
    expect((await call("PUT", "/v1/profiles/contract", { json: { ...edited, revision: 0 } })).status).toBe(
      200,
    );
    expect((await call("PUT", "/v1/profiles/contract", { json: { ...edited, revision: 0 } })).status).toBe(
      409,
    );
    expect((await call("PUT", "/v1/profiles/nothing_here", { json: document })).status).toBe(404);
    expect((await call("DELETE", "/v1/profiles/contract")).status).toBe(204);
    expect((await call("DELETE", "/v1/profiles/contract")).status).toBe(404);
    expect((await call("GET", "/v1/workers", { token: "viewer" })).status).toBe(200);
    const workerId = workers[0]!.workerId;
    expect((await call("GET", `/v1/workers/${workerId}`, { token: "viewer" })).status).toBe(200);
    expect((await call("GET", "/v1/workers/nobody", { token: "viewer" })).status).toBe(404);
    expect((await call("POST", `/v1/workers/${workerId}/drain`)).status).toBe(200);
    expect((await call("POST", `/v1/workers/${workerId}/undrain`)).status).toBe(200);
    // not quarantined: nothing to lift, and the answer says so
    const lifted = await call("POST", `/v1/workers/${workerId}/unquarantine`);
    expect(lifted.status).toBe(200);
    expect(await jsonOf<{ quarantined: boolean }>(lifted)).toMatchObject({ quarantined: false });
    expect((await call("POST", "/v1/workers/nobody/drain")).status).toBe(404);
    expect((await call("POST", "/v1/workers/nobody/unquarantine")).status).toBe(404);
    expect((await call("DELETE", `/v1/workers/${workerId}`)).status).toBe(409);
    // a worker that stopped: not drained any more, removed
    const gone = `gone-${randomUUID().slice(0, 8)}`;
    const context = {
      correlationId: randomUUID(),
      causationId: randomUUID(),
      actor: { userId: "w", role: "system" },
    };
    await db.store.append(
      `worker-${gone}`,
      (
        [
          [
            "WorkerStarted",
            {
              workerId: gone,
              hostname: "h",
              pid: 1,
              capabilities: { encoders: [], hwaccels: [], audioCodecs: [], containers: [] },
            },
          ],
          ["WorkerStopped", { workerId: gone }],
        ] as const
      ).map(([type, data]) => ({
        id: randomUUID(),
        type,
        data,
        metadata: { ...context, occurredAt: new Date().toISOString(), schemaVersion: 1 },
      })),
      { expected: "no_stream" },
    );
    expect((await call("POST", `/v1/workers/${gone}/drain`)).status).toBe(410);
    expect((await call("POST", `/v1/workers/${gone}/undrain`)).status).toBe(410);
    expect((await call("POST", `/v1/workers/${gone}/unquarantine`)).status).toBe(410);
    expect((await call("DELETE", `/v1/workers/${gone}`)).status).toBe(200);
    expect((await call("GET", "/v1/admin/dead-letters?limit=5")).status).toBe(200);
    expect((await call("GET", "/v1/admin/dead-letters?limit=0")).status).toBe(400);
    expect((await call("GET", "/v1/plugins")).status).toBe(200);
    expect(problems).toEqual([]);
  });

  it("restreams: create, list, read, edit, start, stop, delete; and their failures", async () => {
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const document = {
      title: "Contract",
      input_type: "file",
      input_url: "fs://clip.mp4",
      output_destinations: [{ platform: "custom", url: "rtmp://127.0.0.1:9/live/contract-key" }],
      schedule_type: "scheduled",
      schedule_config: { start_at: later },
    };
    const created = await call("POST", "/v1/restreams", { json: document });
    expect(created.status).toBe(201);
    const { id } = await jsonOf<{ id: string }>(created);
    const position = created.headers.get("x-webencode-position");
    const read = await call("GET", `/v1/restreams/${id}?min_position=${position}`, { token: "viewer" });
    expect(read.status).toBe(200);
    const destination = (await jsonOf<{ output_destinations: { id: string }[] }>(read))
      .output_destinations[0]!;
    expect((await call("GET", "/v1/restreams", { token: "viewer" })).status).toBe(200);
    expect(
      (await call("GET", "/v1/restreams/6b0f6f0e-2f0a-4c38-9d43-0f0e2d7e1a11", { token: "viewer" })).status,
    ).toBe(404);
    const badUrl = { ...document, output_destinations: [{ url: "http://example.com/x/y" }] };
    expect((await call("POST", "/v1/restreams", { json: badUrl })).status).toBe(422);
    expect(
      (await call("POST", "/v1/restreams", { json: { ...document, input_url: undefined } })).status,
    ).toBe(400);
    const edit = { ...document, output_destinations: [{ id: destination.id, enabled: false }], revision: 0 };
    expect((await call("PUT", `/v1/restreams/${id}`, { json: edit })).status).toBe(200);
    expect((await call("PUT", `/v1/restreams/${id}`, { json: { ...edit, title: "Again" } })).status).toBe(
      409,
    );
    expect((await call("PUT", `/v1/restreams/${id}`, { json: badUrl })).status).toBe(422);
    expect((await call("PUT", `/v1/restreams/${id}`, { json: { ...document, input_url: "x" } })).status).toBe(
      400,
    );
    expect(
      (await call("PUT", "/v1/restreams/6b0f6f0e-2f0a-4c38-9d43-0f0e2d7e1a11", { json: document })).status,
    ).toBe(404);
    expect((await call("POST", `/v1/restreams/${id}/stop`)).status).toBe(409);
    expect((await call("POST", `/v1/restreams/${id}/start`)).status).toBe(200);
    expect((await call("POST", `/v1/restreams/${id}/start`)).status).toBe(409);
    expect((await call("POST", `/v1/restreams/${id}/stop`)).status).toBe(200);
    expect((await call("POST", "/v1/restreams/6b0f6f0e-2f0a-4c38-9d43-0f0e2d7e1a11/start")).status).toBe(404);
    expect((await call("POST", "/v1/restreams/6b0f6f0e-2f0a-4c38-9d43-0f0e2d7e1a11/stop")).status).toBe(404);
    expect((await call("DELETE", `/v1/restreams/${id}`)).status).toBe(204);
    expect((await call("DELETE", `/v1/restreams/${id}`)).status).toBe(404);
  });

  it("error tracking: report, list with filters, resolve; and their failures", async () => {
    const reported = await call("POST", "/v1/errors", {
      token: "viewer",
      json: {
        severity: "critical",
        message: "TypeError: x is undefined",
        stack_trace: "TypeError: x is undefined\n    at page (app.js:1:1)",
        context_data: { url: "/en/jobs", line: 1 },
      },
    });
    expect(reported.status).toBe(201);
    const { id } = await jsonOf<{ id: string }>(reported);
    const position = reported.headers.get("x-webencode-position");
    const listed = await call(
      "GET",
      `/v1/errors?min_position=${position}&severity=critical&source=frontend`,
      {
        token: "viewer",
      },
    );
    expect(listed.status).toBe(200);
    expect((await jsonOf<{ errors: Array<{ id: string }> }>(listed)).errors.map((e) => e.id)).toContain(id);
    expect((await call("POST", `/v1/errors/${id}/resolve`, { token: "operator" })).status).toBe(200);
    expect(
      (await call("GET", "/v1/errors?resolved=true&q=TypeError&limit=5", { token: "viewer" })).status,
    ).toBe(200);
    expect((await call("POST", `/v1/errors/${randomUUID()}/resolve`, { token: "operator" })).status).toBe(
      404,
    );
    expect((await call("POST", `/v1/errors/${id}/resolve`, { token: "viewer" })).status).toBe(403);
    expect((await call("POST", "/v1/errors", { token: "viewer", json: { message: "" } })).status).toBe(400);
    const huge = { message: "m", stack_trace: "x".repeat(40 * 1024) };
    expect((await call("POST", "/v1/errors", { token: "viewer", json: huge, inProcess: true })).status).toBe(
      413,
    );
    expect((await call("GET", "/v1/errors?resolved=maybe", { token: "viewer" })).status).toBe(400);
    expect(problems).toEqual([]);
  });

  it("live streams: create, list, read, stats, edit, key, rotate, end, delete; and their failures", async () => {
    const created = await call("POST", "/v1/streams", { token: "operator", json: { title: "Studio" } });
    expect(created.status).toBe(201);
    const { id, stream_key } = await jsonOf<{ id: string; stream_key: string }>(created);
    const position = created.headers.get("x-webencode-position");
    expect((await call("GET", `/v1/streams?min_position=${position}`, { token: "viewer" })).status).toBe(200);
    expect((await call("GET", `/v1/streams/${id}/stats`, { token: "viewer" })).status).toBe(200);
    const live = await kernel.liveSessions.admit({
      protocol: "rtmp",
      streamKey: stream_key,
      remoteAddress: "::1",
    });
    if (live._tag !== "Allowed") throw new Error(live.reason);
    const playlist = join(storageDir, recordingKeys(id, live.sessionId).playlist);
    await mkdir(dirname(playlist), { recursive: true });
    await writeFile(playlist, "#EXTM3U\n");
    let preview: string | null = null;
    for (let tries = 0; preview === null && tries < 100; tries++) {
      const shown = await call("GET", `/v1/streams/${id}`, { token: "viewer" });
      expect(shown.status).toBe(200);
      preview = (await jsonOf<{ preview_url: string | null }>(shown)).preview_url;
      if (preview === null) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect((await call("GET", preview!, { token: null })).status).toBe(200);
    expect((await call("HEAD", preview!, { token: null })).status).toBe(200);
    await kernel.liveSessions.ended(id, live.sessionId, { reason: "done", recording: null });
    const edit = { token: "operator" as const, json: { title: "Studio B", archive_enabled: false } };
    expect((await call("PUT", `/v1/streams/${id}`, edit)).status).toBe(200);
    expect((await call("GET", `/v1/streams/${id}/key`, { token: "operator" })).status).toBe(200);
    expect((await call("POST", `/v1/streams/${id}/rotate-key`, { token: "operator" })).status).toBe(200);
    expect((await call("POST", `/v1/streams/${id}/end`, { token: "operator" })).status).toBe(200);
    expect((await call("DELETE", `/v1/streams/${id}`, { token: "operator" })).status).toBe(204);
    expect((await call("GET", `/v1/streams/${randomUUID()}`, { token: "viewer" })).status).toBe(404);
    expect((await call("POST", "/v1/streams", { token: "operator", json: { title: "" } })).status).toBe(400);
    expect(problems).toEqual([]);
  });

  it("a job's thumbnails and encrypted package through their playback links: whole, ranged, HEAD; expired and forged links; its key", async () => {
    const base = await jsonOf<Record<string, unknown>>(
      await call("GET", "/v1/profiles/480p_fast", { token: "viewer" }),
    );
    const { id: _id, built_in: _builtIn, updated_at: _updatedAt, revision: _revision, ...document } = base;
    const thumbs = {
      ...document,
      id: "with_thumbnails",
      thumbnails: { interval_sec: 1, width: 64, storyboard: true },
      packaging: { hls: true, dash: false, segment_sec: 1, encryption: "aes-128" },
    };
    expect((await call("POST", "/v1/profiles", { json: thumbs })).status).toBe(201);
    const submitted = await call("POST", "/v1/jobs", {
      token: "operator",
      json: { source_url: "fs://clip.mp4", profile: "with_thumbnails" },
    });
    const { id } = await jsonOf<{ id: string }>(submitted);
    for (const deadline = Date.now() + 60_000; ; ) {
      const job = await jsonOf<{ status: string }>(await call("GET", `/v1/jobs/${id}`, { token: "viewer" }));
      if (job.status === "completed") break;
      expect(job.status).not.toBe("failed");
      if (Date.now() > deadline) throw new Error(`job still ${job.status}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const outputs = await jsonOf<{ outputs: Array<{ type: string; download_url: string }> }>(
      await call("GET", `/v1/jobs/${id}/outputs`, { token: "viewer" }),
    );
    const poster = outputs.outputs.find((o) => o.type === "thumbnail")!.download_url;
    const link = poster.slice(new URL(poster).origin.length);
    expect(link).toMatch(/^\/v1\/play\//);
    expect((await call("GET", link, { token: null })).status).toBe(200);
    expect((await call("HEAD", link, { token: null })).status).toBe(200);
    expect((await call("GET", link, { token: null, headers: { range: "bytes=0-9" } })).status).toBe(206);
    expect((await call("GET", link.replace(/\.[\w-]+\//, ".forged/"), { token: null })).status).toBe(401);
    expect((await call("GET", link.replace(/[^/]+$/, "nothing-here.jpg"), { token: null })).status).toBe(404);

    // the package's AES-128 key: to a bearer with read rights, to the package's grant, not to another's
    const key = await call("GET", `/v1/jobs/${id}/hls-key`, { token: "viewer" });
    expect(key.status).toBe(200);
    expect((await key.arrayBuffer()).byteLength).toBe(16);
    expect((await call("GET", `/v1/jobs/${id}/hls-key`, { token: null })).status).toBe(401);
    const master = outputs.outputs.find((o) => o.type === "manifest")!.download_url;
    const packageLink = master.slice(new URL(master).origin.length);
    const keyLink = packageLink.replace(/[^/]+$/, `keys/${id}.key`);
    expect((await call("GET", keyLink, { token: null })).status).toBe(200);
    const otherKey = packageLink.replace(/[^/]+$/, "keys/7d444840-9dc0-11d1-b245-5ffdce74fad2.key");
    expect((await call("GET", otherKey, { token: null })).status).toBe(403);
    expect((await call("GET", link.replace(/[^/]+$/, `keys/${id}.key`), { token: null })).status).toBe(403);
  });

  it("answers an unknown route and a wrong method in the envelope too", async () => {
    for (const [method, path, status] of [
      ["GET", "/v1/nowhere", 404],
      ["PATCH", "/v1/jobs", 405],
    ] as const) {
      const response = await fetch(`${kernel.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${tokens.admin}` },
      });
      expect(response.status).toBe(status);
      expect(errorEnvelopeSchema.safeParse(await response.json()).success).toBe(true);
    }
  });

  it("has seen every documented route answer with success", () => {
    const succeeded = new Set(
      [...answered].filter((a) => /\s2\d\d$/.test(a)).map((a) => a.replace(/\s\d+$/, "")),
    );
    const untried = apiRoutes.map((r) => routeKey(r.method, r.path)).filter((key) => !succeeded.has(key));
    expect(untried).toEqual([]);
    expect(problems).toEqual([]);
  });
});
