import { randomUUID } from "node:crypto";
import { request as httpRequest, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import type { EventStore, JsonObject, RecordedEvent } from "../../domain/ports/eventStore.ts";
import type { ProgressBus, ProgressTick } from "../../domain/ports/progressBus.ts";
import {
  openPostgresEventStore,
  type PostgresEventStore,
} from "../../infra/eventstore/postgres/postgresEventStore.ts";
import { ApiError, errorBody } from "../../infra/http/apiError.ts";
import type { HttpEnv, Role } from "../../infra/http/httpEnv.ts";
import { createMemoryProgressBus } from "../../infra/progress/memoryProgressBus.ts";
import { progressTick } from "../../infra/progress/progressBusContract.ts";
import { currentSchemaVersion } from "../../schemas/events/currentSchemaVersion.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/testDatabase.ts";
import { type EventFeedOptions, eventFeedRoute } from "./eventFeed.ts";
import { createFeedStats } from "./feedStats.ts";
import { createFeedTail } from "./feedTail.ts";

let database: TestDatabase;
let postgres: PostgresEventStore;

beforeAll(async () => {
  database = await createTestDatabase("feed");
  postgres = await openPostgresEventStore({ url: database.url });
});

afterAll(async () => {
  await postgres?.close();
  await database?.drop();
});

// ---------------------------------------------------------------- the store, counted

/** The store with a count of the subscriptions opened and not yet closed. */
function countingStore(store: EventStore) {
  let open = 0;
  const counted: EventStore = {
    ...store,
    subscribeToAll(options) {
      const subscription = store.subscribeToAll(options);
      open++;
      let closed = false;
      return {
        [Symbol.asyncIterator]: () => subscription[Symbol.asyncIterator](),
        async close() {
          if (!closed) {
            closed = true;
            open--;
          }
          await subscription.close();
        },
      };
    },
  };
  return { store: counted, openSubscriptions: () => open };
}

// ---------------------------------------------------------------- events

function jobEvent(type: string, data: JsonObject, schemaVersion = currentSchemaVersion(type)) {
  return {
    id: randomUUID(),
    type,
    data,
    metadata: {
      correlationId: randomUUID(),
      causationId: randomUUID(),
      actor: { userId: "user-1", role: "operator" },
      schemaVersion,
      occurredAt: "2026-01-02T03:04:05.000Z",
    },
  };
}

const taskStarted = (taskId = randomUUID()) =>
  jobEvent("TaskStarted", { taskId, attempt: 1, workerId: "w-1" });

/** A task failure carrying 50 kB of stderr: a few hundred fill any socket's buffers. */
const bigFailure = () =>
  jobEvent("TaskFailed", {
    taskId: randomUUID(),
    attempt: 1,
    exitClass: "transient",
    message: "m",
    stderrTail: "x".repeat(50_000),
  });

/** Appends to `job-<jobId>` and returns the events as recorded, with their checkpoints. */
const append = (jobId: string, ...events: ReturnType<typeof jobEvent>[]) =>
  appendTo(`job-${jobId}`, ...events);

async function appendTo(
  streamId: string,
  ...events: ReturnType<typeof jobEvent>[]
): Promise<RecordedEvent[]> {
  const outcome = await postgres.append(streamId, events, { expected: "any" });
  if (outcome._tag !== "Appended") throw new Error(`append failed: ${outcome._tag}`);
  const recorded = await postgres.readStream(streamId, {
    from: "end",
    direction: "backwards",
    maxCount: events.length,
  });
  return recorded.reverse();
}

// ---------------------------------------------------------------- the app, served

/** The bus with a count of the subscriptions open on it. */
function countingBus(bus: ProgressBus) {
  let open = 0;
  const counted: ProgressBus = {
    ...bus,
    subscribe(listener) {
      open++;
      const unsubscribe = bus.subscribe(listener);
      return () => {
        open--;
        unsubscribe();
      };
    },
  };
  return { bus: counted, openSubscriptions: () => open };
}

async function startFeed(options: Partial<EventFeedOptions> = {}) {
  const counting = countingStore(postgres);
  const progressBus = createMemoryProgressBus();
  const countedBus = countingBus(progressBus);
  const app = new Hono<HttpEnv>();
  app.use(async (c, next) => {
    c.set("requestId", c.req.header("x-request-id") ?? "req-test");
    if (c.req.header("x-anonymous") === undefined) {
      const role = (c.req.header("x-role") ?? "viewer") as Role;
      const tokenId = c.req.header("x-token-id");
      c.set("actor", { userId: "user-1", role, ...(tokenId === undefined ? {} : { tokenId }) });
    }
    await next();
  });
  app.onError((error, c) => {
    if (error instanceof ApiError) {
      return c.json(errorBody(error.code, error.details, c.var.requestId, error.hint), error.status as 400);
    }
    return c.json(errorBody("WE-SYS-001", error.message, c.var.requestId), 500);
  });
  // the one shared subscription is not counted: `openSubscriptions` is what clients hold of their own
  const tail = createFeedTail({ store: postgres });
  app.route("/", eventFeedRoute({ store: counting.store, progressBus: countedBus.bus, tail, ...options }));
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(started));
  });
  const { port } = server.address() as AddressInfo;
  onTestFinished(async () => {
    if ("closeAllConnections" in server) server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await progressBus.close();
    await tail.close();
  });
  return {
    base: `http://127.0.0.1:${port}`,
    progressBus,
    openSubscriptions: counting.openSubscriptions,
    openProgressSubscriptions: countedBus.openSubscriptions,
  };
}

// ---------------------------------------------------------------- an SSE client (WHATWG parsing rules)

type Frame =
  | { kind: "event"; event: string; data: string; id: string | undefined; at: number }
  | { kind: "id"; id: string }
  | { kind: "comment"; text: string; at: number };

/** Feeds SSE text in; calls `onFrame` per dispatched block, as an EventSource would see it. */
function createSseParser(onFrame: (frame: Frame) => void) {
  let pending = "";
  let event = "";
  let data: string[] = [];
  let id: string | undefined;
  let comments: string[] = [];
  const dispatch = () => {
    const at = Date.now();
    if (data.length > 0) onFrame({ kind: "event", event: event || "message", data: data.join("\n"), id, at });
    else if (id !== undefined) onFrame({ kind: "id", id });
    else for (const text of comments) onFrame({ kind: "comment", text, at });
    event = "";
    data = [];
    id = undefined;
    comments = [];
  };
  return (text: string) => {
    pending += text;
    const lines = pending.split(/\r\n|\r|\n/);
    pending = lines.pop() ?? "";
    for (const line of lines) {
      if (line === "") dispatch();
      else if (line.startsWith(":")) comments.push(line.slice(1).trimStart());
      else {
        const colon = line.indexOf(":");
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "event") event = value;
        else if (field === "data") data.push(value);
        else if (field === "id") id = value;
      }
    }
  };
}

interface FeedClient {
  status: number;
  frames: Frame[];
  events(): Extract<Frame, { kind: "event" }>[];
  /** Stored events only (not progress, not errors). */
  stored(): Extract<Frame, { kind: "event" }>[];
  /** What an EventSource would send as Last-Event-ID on reconnecting. */
  lastEventId: string | undefined;
  ended: boolean;
  close(): void;
}

async function connect(base: string, query = "", headers: Record<string, string> = {}): Promise<FeedClient> {
  const controller = new AbortController();
  const response = await fetch(`${base}/v1/events/stream${query}`, {
    headers: { accept: "text/event-stream", ...headers },
    signal: controller.signal,
  });
  const client: FeedClient = {
    status: response.status,
    frames: [],
    events: () => client.frames.filter((frame) => frame.kind === "event"),
    stored: () => client.events().filter((frame) => frame.event !== "progress" && frame.event !== "error"),
    lastEventId: headers["last-event-id"],
    ended: false,
    close: () => controller.abort(),
  };
  onTestFinished(() => controller.abort());
  expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
  const parse = createSseParser((frame) => {
    client.frames.push(frame);
    if (frame.kind !== "comment" && frame.id !== undefined) client.lastEventId = frame.id;
  });
  void (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body!) parse(decoder.decode(chunk, { stream: true }));
    } catch {
      // aborted by the test
    }
    client.ended = true;
  })();
  return client;
}

/** A feed response nobody reads: what the server writes piles up in the socket's buffers. */
async function openUnread(url: string): Promise<IncomingMessage> {
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = httpRequest(url, resolve);
    req.on("error", reject);
    req.end();
  });
  onTestFinished(() => void response.destroy());
  response.pause();
  expect(response.statusCode).toBe(200);
  return response;
}

/** A token issued, then revoked, as the token service writes them; returns the token's id. */
async function issueAndRevokeToken(): Promise<{ tokenId: string; events: RecordedEvent[] }> {
  const tokenId = randomUUID();
  const events = await appendTo(
    `token-${tokenId}`,
    jobEvent("TokenIssued", {
      tokenId,
      name: "ci",
      userId: `token:${tokenId}`,
      role: "operator",
      hash: `sha256:${"ab".repeat(32)}`,
      prefix: "we_abcde",
    }),
    jobEvent("TokenRevoked", { tokenId, reason: "leaked" }),
  );
  return { tokenId, events };
}

const as = (role: Role, tokenId?: string): Record<string, string> => ({
  "x-role": role,
  ...(tokenId === undefined ? {} : { "x-token-id": tokenId }),
});

const dataOf = (frame: { data: string }) => JSON.parse(frame.data) as Record<string, unknown>;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------- the feed

describe("event feed", () => {
  it("sends new events in order as `event: <Type>`, id the checkpoint, data in snake_case; nothing from before", async () => {
    const feed = await startFeed();
    const jobId = randomUUID();
    await append(jobId, taskStarted());
    const client = await connect(feed.base);
    const taskId = randomUUID();
    const appended = [
      ...(await append(
        jobId,
        taskStarted(taskId),
        jobEvent("TaskProgressed", { taskId, attempt: 1, milestonePct: 25 }),
      )),
      ...(await append(jobId, jobEvent("JobFailed", { code: "WE-JOB-005", message: "boom" }))),
    ];
    await expect.poll(() => client.stored().length).toBe(3);
    expect(client.stored().map((frame) => [frame.event, frame.id])).toEqual(
      appended.map((event) => [event.type, event.checkpoint]),
    );
    expect(dataOf(client.stored()[0]!)).toEqual({
      type: "TaskStarted",
      stream_id: `job-${jobId}`,
      job_id: jobId,
      position: appended[0]!.position,
      occurred_at: "2026-01-02T03:04:05.000Z",
      data: { task_id: taskId, attempt: 1, worker_id: "w-1" },
    });
    expect(dataOf(client.stored()[1]!).data).toEqual({ task_id: taskId, attempt: 1, milestone_pct: 25 });
  });

  it("sends events of older schema versions as the current version (a v1 JobSubmitted upcast)", async () => {
    const feed = await startFeed();
    const jobId = randomUUID();
    await append(
      jobId,
      jobEvent(
        "JobSubmitted",
        {
          jobId,
          userId: "user-1",
          source: "fs://uploads/a.mp4",
          profile: "h264-720p",
          outputConfig: { hlsSegmentSec: 6 },
        },
        1,
      ),
    );
    const client = await connect(feed.base, `?from=start&job=${jobId}`);
    await expect.poll(() => client.stored().length).toBe(1);
    expect(dataOf(client.stored()[0]!).data).toEqual({
      job_id: jobId,
      user_id: "user-1",
      source_type: "upload",
      source_url: "fs://uploads/a.mp4",
      profile_id: "h264-720p",
      output_config: { hls_segment_sec: 6 },
    });
  });

  it("replays the log from the start with from=start, then goes live", async () => {
    const feed = await startFeed();
    const jobId = randomUUID();
    const before = await append(jobId, taskStarted(), taskStarted());
    const client = await connect(feed.base, `?from=start&job=${jobId}`);
    await expect.poll(() => client.stored().length).toBe(2);
    const after = await append(jobId, taskStarted());
    await expect.poll(() => client.stored().length).toBe(3);
    expect(client.stored().map((frame) => frame.id)).toEqual(
      [...before, ...after].map((event) => event.checkpoint),
    );
  });

  it("resumes exactly after Last-Event-ID, with what was appended while the client was away", async () => {
    const feed = await startFeed();
    const jobId = randomUUID();
    const first = await connect(feed.base, `?job=${jobId}`);
    const seen = await append(jobId, taskStarted(), taskStarted());
    await expect.poll(() => first.stored().length).toBe(2);
    first.close();
    await expect.poll(() => feed.openSubscriptions()).toBe(0);
    const missed = await append(jobId, taskStarted(), taskStarted());

    // an EventSource reconnects to the same URL and sends the id it saw last
    const again = await connect(feed.base, `?job=${jobId}`, { "last-event-id": first.lastEventId! });
    const live = await append(jobId, taskStarted());
    await expect.poll(() => again.stored().length).toBe(3);
    await sleep(100);
    expect(first.stored().map((frame) => frame.id)).toEqual(seen.map((event) => event.checkpoint));
    expect(again.stored().map((frame) => frame.id)).toEqual(
      [...missed, ...live].map((event) => event.checkpoint),
    );
  });

  it("resumes after the `last_event_id` query parameter, and the header wins over it", async () => {
    const feed = await startFeed();
    const jobId = randomUUID();
    const [one, two, three] = await append(jobId, taskStarted(), taskStarted(), taskStarted());
    const byQuery = await connect(feed.base, `?job=${jobId}&last_event_id=${one!.checkpoint}`);
    await expect
      .poll(() => byQuery.stored().map((frame) => frame.id))
      .toEqual([two!.checkpoint, three!.checkpoint]);
    const byHeader = await connect(feed.base, `?job=${jobId}&last_event_id=${one!.checkpoint}`, {
      "last-event-id": two!.checkpoint,
    });
    await expect.poll(() => byHeader.stored().map((frame) => frame.id)).toEqual([three!.checkpoint]);
  });

  it("gives a client that saw no event yet a resume point, so it loses nothing appended while away", async () => {
    const feed = await startFeed();
    const jobId = randomUUID();
    const first = await connect(feed.base, `?job=${jobId}`);
    await expect.poll(() => first.lastEventId).toBeDefined();
    expect(first.stored()).toEqual([]);
    first.close();
    const missed = await append(jobId, taskStarted());
    const again = await connect(feed.base, `?job=${jobId}`, { "last-event-id": first.lastEventId! });
    await expect
      .poll(() => again.stored().map((frame) => frame.id))
      .toEqual(missed.map((event) => event.checkpoint));
  });

  it("with job=, sends that job's events and progress ticks only", async () => {
    const feed = await startFeed();
    const [mine, other] = [randomUUID(), randomUUID()];
    const client = await connect(feed.base, `?job=${mine}`);
    await append(other, taskStarted());
    feed.progressBus.publish(progressTick({ jobId: other }));
    const myTick = progressTick({ jobId: mine });
    feed.progressBus.publish(myTick);
    const [last] = await append(mine, taskStarted());
    await expect.poll(() => client.stored().map((frame) => frame.id)).toEqual([last!.checkpoint]);
    await expect.poll(() => client.events().filter((frame) => frame.event === "progress").length).toBe(1);
    await sleep(300);
    expect(client.events().map((frame) => dataOf(frame).job_id)).toEqual([mine, mine]);
  });

  it("with types=, sends only the named event types, and progress only when `progress` is named", async () => {
    const feed = await startFeed();
    const jobId = randomUUID();
    const failures = await connect(feed.base, `?job=${jobId}&types=JobFailed,JobCancelled`);
    const ticksOnly = await connect(feed.base, `?job=${jobId}&types=progress`);
    const both = await connect(feed.base, `?job=${jobId}&types=JobCancelled,progress`);
    expect(feed.openSubscriptions()).toBe(0); // live clients take the shared tail
    feed.progressBus.publish(progressTick({ jobId }));
    await append(jobId, taskStarted());
    const [failed] = await append(jobId, jobEvent("JobFailed", { code: "WE-JOB-005", message: "boom" }));
    const [cancelled] = await append(jobId, jobEvent("JobCancelled", {}));
    await expect
      .poll(() => failures.events().map((frame) => frame.id))
      .toEqual([failed!.checkpoint, cancelled!.checkpoint]);
    await expect.poll(() => both.events().map((frame) => frame.event)).toEqual(["progress", "JobCancelled"]);
    await expect.poll(() => ticksOnly.events().map((frame) => frame.event)).toEqual(["progress"]);
    await sleep(200);
    expect(failures.events().map((frame) => frame.event)).toEqual(["JobFailed", "JobCancelled"]);
    expect(ticksOnly.events().map((frame) => frame.event)).toEqual(["progress"]);
  });

  it("sends progress ticks as `event: progress` without an id, at most 4 a second per job, the latest last", async () => {
    const feed = await startFeed();
    const [jobA, jobB] = [randomUUID(), randomUUID()];
    const client = await connect(feed.base, "?types=progress");
    const taskId = randomUUID();
    let last: ProgressTick | undefined;
    const startedAt = Date.now();
    for (let n = 1; n <= 60; n++) {
      last = progressTick({ jobId: jobA, taskId, pct: n, workerId: "w-7" });
      feed.progressBus.publish(last);
      feed.progressBus.publish(progressTick({ jobId: jobB, taskId, pct: n }));
      await sleep(25);
    }
    const publishedMs = Date.now() - startedAt;
    const ofJob = (jobId: string) =>
      client.events().filter((frame) => frame.event === "progress" && dataOf(frame).job_id === jobId);
    await expect.poll(() => ofJob(jobA).at(-1) && dataOf(ofJob(jobA).at(-1)!).pct).toBe(60);
    await expect.poll(() => ofJob(jobB).at(-1) && dataOf(ofJob(jobB).at(-1)!).pct).toBe(60);

    for (const frames of [ofJob(jobA), ofJob(jobB)]) {
      // 60 ticks in ~1.5 s: throttled to about 4 a second, each job on its own
      expect(frames.length).toBeGreaterThanOrEqual(3);
      expect(frames.length).toBeLessThanOrEqual(Math.ceil((publishedMs + 250) / 250) + 1);
      for (let i = 1; i < frames.length; i++)
        expect(frames[i]!.at - frames[i - 1]!.at).toBeGreaterThanOrEqual(150);
      for (const frame of frames) expect(frame.id).toBeUndefined();
    }
    expect(dataOf(ofJob(jobA).at(-1)!)).toEqual({
      job_id: jobA,
      task_id: taskId,
      attempt: 1,
      pct: 60,
      fps: last!.fps,
      speed: last!.speed,
      eta_seconds: last!.etaSeconds,
      out_time_sec: last!.outTimeSec,
      at: last!.at,
    });
    expect(client.lastEventId).toBeUndefined();
  });

  it("sends `: ping` comments every heartbeatMs while nothing else goes out", async () => {
    const feed = await startFeed({ heartbeatMs: 100 });
    const client = await connect(feed.base);
    await sleep(650);
    const pings = client.frames.filter((frame) => frame.kind === "comment" && frame.text === "ping");
    expect(pings.length).toBeGreaterThanOrEqual(3);
    expect(pings.length).toBeLessThanOrEqual(7);
  });

  it("sends job counts as `event: stats` without an id, to clients not following one job", async () => {
    const stats = createFeedStats({
      countJobsByStatus: async () => ({ queued: 2, completed: 5 }),
      intervalMs: 100,
    });
    const feed = await startFeed({ stats });
    const everything = await connect(feed.base);
    const oneJob = await connect(feed.base, `?job=${randomUUID()}`);
    const asked = await connect(feed.base, `?job=${randomUUID()}&types=stats`);
    await expect
      .poll(() => everything.events().filter((frame) => frame.event === "stats").length)
      .toBeGreaterThanOrEqual(3);
    const [first] = everything.events();
    expect(first?.id).toBeUndefined();
    expect(dataOf(first!)).toEqual({ jobs_by_status: { queued: 2, completed: 5 }, at: expect.any(String) });
    expect(asked.events().filter((frame) => frame.event === "stats").length).toBeGreaterThan(0);
    expect(oneJob.events()).toEqual([]);
  });

  it("holds a subscription of its own only while a client catches up, and releases it when the client leaves mid catch-up", async () => {
    const feed = await startFeed({ maxBufferedBytes: 64 * 1024 });
    const jobId = randomUUID();
    await append(jobId, ...Array.from({ length: 100 }, () => bigFailure()));
    const idle = await connect(feed.base, `?job=${randomUUID()}`);
    const live = await connect(feed.base);
    const caughtUp = await connect(feed.base, `?from=start&job=${jobId}`);
    await expect.poll(() => caughtUp.stored().length).toBe(100);
    await expect.poll(() => feed.openSubscriptions()).toBe(0);
    // ~5 MB for a client that reads nothing: its catch-up waits for room, holding its subscription
    const stalled = await openUnread(`${feed.base}/v1/events/stream?from=start&job=${jobId}`);
    expect(feed.openSubscriptions()).toBe(1);
    stalled.destroy();
    await expect.poll(() => feed.openSubscriptions()).toBe(0);
    expect([idle.ended, live.ended, caughtUp.ended]).toEqual([false, false, false]);
  });

  it("shows token events to admins only, never with the hash; viewers and operators never see them", async () => {
    const feed = await startFeed();
    const jobId = randomUUID();
    const before = await issueAndRevokeToken();
    const [jobBefore] = await append(jobId, taskStarted());
    const clients = {
      viewer: await connect(feed.base, "?from=start", as("viewer")),
      operator: await connect(feed.base, "?from=start", as("operator")),
      admin: await connect(feed.base, "?from=start", as("admin")),
    };
    const raw: string[] = [];
    const adminRaw = await fetch(`${feed.base}/v1/events/stream?from=start`, { headers: as("admin") });
    void (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of adminRaw.body!) raw.push(decoder.decode(chunk, { stream: true }));
    })().catch(() => {});
    onTestFinished(() => adminRaw.body?.cancel().catch(() => {}));
    const live = await issueAndRevokeToken();
    const [jobAfter] = await append(jobId, taskStarted());

    const tokenEvents = [...before.events, ...live.events];
    const ids = (client: FeedClient) => client.stored().map((frame) => frame.id);
    for (const client of Object.values(clients))
      await expect.poll(() => ids(client)).toContain(jobAfter!.checkpoint);
    for (const role of ["viewer", "operator"] as const) {
      const seen = ids(clients[role]);
      expect(seen).toContain(jobBefore!.checkpoint);
      for (const event of tokenEvents) expect(seen, role).not.toContain(event.checkpoint);
      expect(clients[role].stored().filter((frame) => frame.event.startsWith("Token"))).toEqual([]);
    }
    const adminTokenFrames = clients.admin
      .stored()
      .filter(
        (frame) => frame.id !== undefined && tokenEvents.some((event) => event.checkpoint === frame.id),
      );
    expect(adminTokenFrames.map((frame) => frame.id)).toEqual(tokenEvents.map((event) => event.checkpoint));
    expect(dataOf(adminTokenFrames[2]!)).toMatchObject({
      type: "TokenIssued",
      stream_id: `token-${live.tokenId}`,
      data: {
        token_id: live.tokenId,
        name: "ci",
        user_id: `token:${live.tokenId}`,
        role: "operator",
        prefix: "we_abcde",
      },
    });
    expect(dataOf(adminTokenFrames[2]!).data).not.toHaveProperty("hash");
    expect(dataOf(adminTokenFrames[3]!).data).toEqual({ token_id: live.tokenId, reason: "leaked" });
    await expect.poll(() => raw.join("")).toContain(jobAfter!.checkpoint);
    expect(raw.join("")).not.toMatch(/sha256:|"hash"/);
  });

  it("shows admins a stream no rule names without its data, and others nothing of it", async () => {
    const feed = await startFeed();
    const viewer = await connect(feed.base, "", as("viewer"));
    const admin = await connect(feed.base, "", as("admin"));
    const [secret] = await appendTo(
      `vault-${randomUUID()}`,
      jobEvent("VaultOpened", { password: "hunter2" }),
    );
    const [job] = await append(randomUUID(), taskStarted());
    await expect.poll(() => viewer.stored().map((frame) => frame.id)).toEqual([job!.checkpoint]);
    await expect
      .poll(() => admin.stored().map((frame) => frame.id))
      .toEqual([secret!.checkpoint, job!.checkpoint]);
    expect(dataOf(admin.stored()[0]!).data).toBeNull();
  });

  it("caps open feeds per token and in all with 429 WE-SYS-005, Retry-After and a hint; a place frees when a feed ends", async () => {
    const feed = await startFeed({ maxClients: 3, maxClientsPerToken: 2 });
    const [one, two] = [randomUUID(), randomUUID()];
    const first = await connect(feed.base, "", as("viewer", one));
    await connect(feed.base, "?types=progress", as("viewer", one));
    const refuse = async (headers: Record<string, string>, details: RegExp) => {
      const response = await fetch(`${feed.base}/v1/events/stream`, { headers });
      expect(response.status).toBe(429);
      expect(response.headers.get("retry-after")).toMatch(/^\d+$/);
      const body = (await response.json()) as { error: { code: string; details: string; hint: string } };
      expect(body.error.code).toBe("WE-SYS-005");
      expect(body.error.details).toMatch(details);
      expect(body.error.hint).not.toBe("");
      return body.error.hint;
    };
    expect(await refuse(as("viewer", one), /this token already holds 2 open event feeds/)).toMatch(
      /per token/,
    );
    await connect(feed.base, "", as("admin", two));
    await refuse(as("viewer", randomUUID()), /the server already holds 3 open event feeds/);
    first.close();
    await expect
      .poll(
        async () =>
          (
            await fetch(`${feed.base}/v1/events/stream?types=progress`, {
              headers: as("viewer", two),
              signal: AbortSignal.timeout(5000),
            })
          ).status,
      )
      .toBe(200);
  });

  it("keeps idle clients off the database: fifty hold no subscription of their own, and each gets what is appended", async () => {
    const feed = await startFeed();
    const jobId = randomUUID();
    const clients = await Promise.all(
      Array.from({ length: 50 }, (_, n) =>
        connect(
          feed.base,
          n % 2 === 0 ? "" : `?job=${jobId}`,
          as((["viewer", "operator", "admin"] as const)[n % 3]!, randomUUID()),
        ),
      ),
    );
    await expect.poll(() => clients.every((client) => client.lastEventId !== undefined)).toBe(true);
    expect(feed.openSubscriptions()).toBe(0);
    const appended = await append(jobId, taskStarted(), taskStarted());
    for (const client of clients)
      await expect
        .poll(() => client.stored().map((frame) => frame.id))
        .toEqual(appended.map((event) => event.checkpoint));
    expect(feed.openSubscriptions()).toBe(0);
  });

  it("fans progress out to every client from one subscription of the bus, and leaves it when the last goes", async () => {
    const feed = await startFeed();
    const [jobId, other] = [randomUUID(), randomUUID()];
    const clients = await Promise.all(
      Array.from({ length: 50 }, (_, n) =>
        connect(feed.base, n % 2 === 0 ? "" : `?job=${jobId}`, as("viewer", randomUUID())),
      ),
    );
    await expect.poll(() => clients.every((client) => client.lastEventId !== undefined)).toBe(true);
    expect(feed.openProgressSubscriptions()).toBe(1);
    feed.progressBus.publish(progressTick({ jobId: other }));
    feed.progressBus.publish(progressTick({ jobId, pct: 42 }));
    const progressOf = (client: FeedClient) =>
      client
        .events()
        .filter((frame) => frame.event === "progress")
        .map((frame) => dataOf(frame).job_id);
    for (const [n, client] of clients.entries())
      await expect.poll(() => progressOf(client)).toEqual(n % 2 === 0 ? [other, jobId] : [jobId]);
    for (const client of clients) client.close();
    await expect.poll(() => feed.openProgressSubscriptions()).toBe(0);
  });

  it("hands catching-up clients over to the shared tail without loss or duplicates while events keep coming", async () => {
    const feed = await startFeed();
    const jobId = randomUUID();
    const appended = await append(jobId, ...Array.from({ length: 30 }, () => taskStarted()));
    let appending = true;
    const appender = (async () => {
      while (appending) appended.push(...(await append(jobId, taskStarted())));
    })();
    const clients: Array<{ client: FeedClient; after: number }> = [];
    for (let n = 0; n < 12; n++) {
      const after = Math.floor((n * appended.length) / 12) - 1; // -1: from the start
      const headers: Record<string, string> =
        after < 0 ? {} : { "last-event-id": appended[after]!.checkpoint };
      clients.push({
        client: await connect(feed.base, `?job=${jobId}${after < 0 ? "&from=start" : ""}`, headers),
        after,
      });
      await sleep(20);
    }
    await sleep(300);
    appending = false;
    await appender;
    const all = appended.map((event) => event.checkpoint);
    for (const { client, after } of clients) {
      await expect.poll(() => client.stored().length).toBe(all.length - after - 1);
      expect(client.stored().map((frame) => frame.id)).toEqual(all.slice(after + 1));
    }
    await expect.poll(() => feed.openSubscriptions()).toBe(0);
  });

  it("sends a client that falls behind the tail back to the store, losing nothing and sending nothing twice", async () => {
    const feed = await startFeed({ maxQueuedEvents: 5 });
    const jobId = randomUUID();
    const client = await connect(feed.base, `?job=${jobId}`);
    await expect.poll(() => client.lastEventId).toBeDefined();
    const burst = await append(jobId, ...Array.from({ length: 60 }, () => taskStarted()));
    const more = await append(jobId, taskStarted());
    await expect.poll(() => client.stored().length).toBe(61);
    expect(client.stored().map((frame) => frame.id)).toEqual(
      [...burst, ...more].map((event) => event.checkpoint),
    );
    await expect.poll(() => feed.openSubscriptions()).toBe(0);
  });

  it("ends every open feed of a revoked token, whether opened with the token or its tickets, with WE-AUTH-001", async () => {
    const feed = await startFeed();
    const tokenId = randomUUID();
    const other = randomUUID();
    const withToken = await connect(feed.base, "", as("viewer", tokenId));
    const ticksOnly = await connect(feed.base, "?types=progress", as("viewer", tokenId));
    const bystander = await connect(feed.base, "", as("viewer", other));
    await appendTo(`token-${tokenId}`, jobEvent("TokenRevoked", { tokenId }));
    for (const client of [withToken, ticksOnly]) {
      await expect.poll(() => client.ended).toBe(true);
      const last = client.events().at(-1)!;
      expect(last.event).toBe("error");
      expect(dataOf(last)).toMatchObject({
        error: { code: "WE-AUTH-001", details: expect.stringMatching(/revoked/) },
      });
    }
    const again = await fetch(`${feed.base}/v1/events/stream`, { headers: as("viewer", tokenId) });
    expect(again.status).toBe(401);
    const [job] = await append(randomUUID(), taskStarted());
    await expect.poll(() => bystander.stored().map((frame) => frame.id)).toEqual([job!.checkpoint]);
    expect(bystander.ended).toBe(false);
  });

  it("drops a client that stops reading, with a final `event: error`, and releases its subscription", async () => {
    const feed = await startFeed({ maxBufferedBytes: 64 * 1024, slowClientMs: 300 });
    const jobId = randomUUID();
    const appended: RecordedEvent[] = [];
    for (let batch = 0; batch < 20; batch++) {
      appended.push(...(await append(jobId, ...Array.from({ length: 20 }, bigFailure))));
    }
    // ~20 MB, more than the socket buffers hold for a client that reads nothing
    const response = await openUnread(`${feed.base}/v1/events/stream?from=start&job=${jobId}`);
    expect(feed.openSubscriptions()).toBe(1);
    await expect.poll(() => feed.openSubscriptions(), { timeout: 10_000 }).toBe(0);

    const frames: Frame[] = [];
    const parse = createSseParser((frame) => frames.push(frame));
    response.setEncoding("utf8");
    response.on("data", parse);
    response.resume();
    await new Promise((resolve) => response.once("end", resolve));
    const events = frames.filter((frame) => frame.kind === "event");
    const error = events.at(-1)!;
    expect(error.event).toBe("error");
    expect(JSON.parse(error.data)).toMatchObject({ error: { code: "WE-SYS-004", request_id: "req-test" } });
    const received = events.slice(0, -1).map((frame) => frame.id);
    expect(received.length).toBeGreaterThan(0);
    expect(received.length).toBeLessThan(appended.length);
    // what arrived is a gap-free prefix: resuming after the last id loses nothing
    expect(received).toEqual(appended.slice(0, received.length).map((event) => event.checkpoint));
  });

  it("answers a bad filter with 400 and WE-JOB-001 in the error envelope, holding no subscription", async () => {
    const feed = await startFeed();
    const cases: Array<[string, Record<string, string>, RegExp]> = [
      ["?job=not-a-uuid", {}, /job must be a job id/],
      ["?types=JobCompleted,NoSuchEvent", {}, /unknown event type: NoSuchEvent/],
      ["?types=JobCompleted,,JobFailed", {}, /empty/],
      ["?from=middle", {}, /from must be/],
      ["", { "last-event-id": "C:1/P:1" }, /cannot resume after last event id C:1\/P:1/],
      ["?last_event_id=abc", {}, /cannot resume/],
    ];
    for (const [query, headers, details] of cases) {
      const response = await fetch(`${feed.base}/v1/events/stream${query}`, {
        headers: { "x-request-id": "req-bad", ...headers },
      });
      expect(response.status, query).toBe(400);
      const body = (await response.json()) as {
        error: { code: string; details: string; request_id: string };
      };
      expect(body.error.code, query).toBe("WE-JOB-001");
      expect(body.error.details, query).toMatch(details);
      expect(body.error.request_id).toBe("req-bad");
    }
    expect(feed.openSubscriptions()).toBe(0);
  });

  it("answers a request without an authenticated caller with 401 WE-AUTH-001", async () => {
    const feed = await startFeed();
    const response = await fetch(`${feed.base}/v1/events/stream`, { headers: { "x-anonymous": "1" } });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("WE-AUTH-001");
    expect(feed.openSubscriptions()).toBe(0);
  });
});

// ---------------------------------------------------------------- the shared tail

/**
 * The store as a tail sees it when events are appended between its reading the head of the log and
 * its first page: following from "end" hands it those events before it is caught up.
 */
function storeWithAppendsAtTheEnd(store: EventStore, endBefore: RecordedEvent): EventStore {
  return {
    ...store,
    subscribeToAll: (options = {}) =>
      store.subscribeToAll({
        ...options,
        from: options.from === "end" ? String(endBefore.position - 1) : options.from,
      }),
  };
}

const busy = (ms: number) => {
  const start = performance.now();
  while (performance.now() - start < ms);
};

describe("feed tail", () => {
  it("lets listeners join when events arrive before it has caught up, and hands them what follows", async () => {
    const [first, ...rest] = await append(randomUUID(), taskStarted(), taskStarted(), taskStarted());
    const tail = createFeedTail({ store: storeWithAppendsAtTheEnd(postgres, first!) });
    onTestFinished(() => tail.close());
    const received: RecordedEvent[] = [];
    const joined = tail.join({ event: (event) => received.push(event), flush() {} });
    const membership = await Promise.race([joined, sleep(10_000).then(() => undefined)]);
    expect(membership, "the tail never let the listener join").toBeDefined();
    expect(membership!.head?.position).toBeGreaterThanOrEqual(rest.at(-1)!.position);
    const later = await append(randomUUID(), taskStarted(), taskStarted());
    await expect.poll(() => received.map((event) => event.id)).toEqual(later.map((event) => event.id));
  });
  it("spends at most half its time fanning out: what comes during a long fan-out goes out with the next", async () => {
    const tail = createFeedTail({ store: postgres });
    onTestFinished(() => tail.close());
    const received: RecordedEvent[] = [];
    const flushes: Array<{ start: number; end: number }> = [];
    await tail.join({
      event: (event) => received.push(event),
      flush() {
        // a fan-out to thousands of clients: their responses take the frames at once, and Node
        // writes them to the sockets on the next tick
        const start = performance.now();
        busy(10);
        process.nextTick(() => {
          busy(50);
          flushes.push({ start, end: performance.now() });
        });
      },
    });
    const jobId = randomUUID();
    const appended: RecordedEvent[] = [];
    for (let n = 0; n < 20; n++) appended.push(...(await append(jobId, taskStarted())));
    await expect.poll(() => received.length).toBe(appended.length);
    expect(received.map((event) => event.id)).toEqual(appended.map((event) => event.id));
    expect(flushes.length).toBeLessThan(appended.length);
    for (let n = 1; n < flushes.length; n++) {
      const previous = flushes[n - 1]!;
      expect(flushes[n]!.start - previous.end).toBeGreaterThanOrEqual((previous.end - previous.start) * 0.9);
    }
  });
});
