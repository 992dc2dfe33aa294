// The stream API and the live-session port through a real kernel: create (key and ingest URLs once),
// list live first, WE-STR-002/003/004, key rotation at publish time, a second publisher, the reconnect
// window, end and delete; telemetry from the bus in the stats' series and as SSE frames.
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LiveTelemetryTick, PublishAttempt } from "../../domain/ports/liveSessions.ts";
import type { ProgressBus } from "../../domain/ports/progressBus.ts";
import { recordingKeys } from "../../domain/stream/recordingKeys.ts";
import { openDatabase, type PlatformDatabase } from "../../infra/platform/openDatabase.ts";
import { loadConfig, type PlatformConfig } from "../../infra/platform/platformConfig.ts";
import { type Kernel, startKernel } from "../../infra/platform/startKernel.ts";
import { createMemoryProgressBus } from "../../infra/progress/memoryProgressBus.ts";
import { createMemoryWorkQueue } from "../../infra/queue/memory/memoryWorkQueue.ts";
import type {
  ListStreamsResponse,
  StreamDetail,
  StreamKeyResponse,
  StreamStatsResponse,
} from "../../schemas/api/streamResponses.ts";
import { liveStream } from "../../schemas/events/streamNames.ts";
import { until } from "../../test/support/kernelApi.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/testDatabase.ts";

const WINDOW_SECONDS = 2;

let database: TestDatabase;
let db: PlatformDatabase;
let kernel: Kernel;
let bus: ProgressBus;
let dir: string;
let config: PlatformConfig;
const tokens: Record<"viewer" | "operator", string> = { viewer: "", operator: "" };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-streams-"));
  await chmod(dir, 0o755);
  database = await createTestDatabase("stream_api");
  config = loadConfig({ port: "0", data: join(dir, "data"), "media-dir": join(dir, "media") }, {});
  db = await openDatabase({ dataDir: config.dataDir, databaseUrl: database.url });
  bus = createMemoryProgressBus();
  kernel = await startKernel(
    config,
    db,
    createMemoryWorkQueue(),
    bus,
    () => {},
    {},
    {
      reconnectWindowSeconds: WINDOW_SECONDS,
    },
  );
  for (const role of ["viewer", "operator"] as const) {
    const issued = await kernel.tokens.issue({ name: role, role }, { userId: "system", role: "system" });
    if (issued._tag !== "Issued") throw new Error(issued._tag);
    tokens[role] = issued.token;
  }
}, 60_000);
afterAll(async () => {
  await kernel?.stop();
  await db?.close();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

type ErrorAnswer = { error: { code: string; details: string } };

async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  role: "viewer" | "operator" = "operator",
) {
  const response = await fetch(`${kernel.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${tokens[role]}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    position: response.headers.get("x-webencode-position"),
    body: (text === "" ? null : JSON.parse(text)) as T,
  };
}

const create = async (title: string, extra: Record<string, unknown> = {}) => {
  const answer = await api<StreamKeyResponse>("POST", "/v1/streams", { title, ...extra });
  expect(answer.status).toBe(201);
  return answer.body;
};
const detail = (id: string) => api<StreamDetail>("GET", `/v1/streams/${id}`, undefined, "viewer");
const attempt = (streamKey: string, remoteAddress = "10.0.0.1"): PublishAttempt => ({
  protocol: "rtmp",
  streamKey,
  remoteAddress,
});

describe("stream API", () => {
  it("creates a stream with its key and ingest URLs once; the log holds only the key's hash and seal", async () => {
    const answer = await api<StreamKeyResponse>("POST", "/v1/streams", {
      title: "Launch",
      description: "Live",
    });
    expect(answer.status).toBe(201);
    const { id, stream_key, ingest_url, ingest_urls } = answer.body;
    expect(stream_key).toMatch(/^live_[A-Za-z0-9_-]{32}$/);
    expect(ingest_url).toMatch(/^rtmp:\/\/.+:1935\/live$/);
    expect(ingest_urls.rtmp).toBe(ingest_url);
    expect(ingest_urls.srt).toContain(stream_key);
    const stored = JSON.stringify(await db.store.readStream(liveStream.name(id)));
    expect(stored).not.toContain(stream_key.slice(5));
    const shown = await api<StreamDetail>(
      "GET",
      `/v1/streams/${id}?min_position=${answer.position}`,
      undefined,
      "viewer",
    );
    expect(shown.body).toMatchObject({
      id,
      title: "Launch",
      description: "Live",
      status: "idle",
      archive_enabled: true,
      key_hint: `••••${stream_key.slice(-4)}`,
      current_session: null,
      sessions: [],
      preview_url: null,
    });
    expect(JSON.stringify(shown.body)).not.toContain(stream_key);
    const revealed = await api<StreamKeyResponse>("GET", `/v1/streams/${id}/key`);
    expect(revealed.body.stream_key).toBe(stream_key);
    expect((await api<ErrorAnswer>("GET", `/v1/streams/${id}/key`, undefined, "viewer")).status).toBe(403);
  });

  it("answers WE-STR-001 for a bad body and WE-STR-002 for an unknown stream", async () => {
    const bad = await api<ErrorAnswer>("POST", "/v1/streams", { description: "no title" });
    expect([bad.status, bad.body.error.code]).toEqual([400, "WE-STR-001"]);
    const short = await api<ErrorAnswer>("POST", "/v1/streams", { title: "x", stream_key: "short" });
    expect([short.status, short.body.error.code]).toEqual([400, "WE-STR-001"]);
    for (const path of ["/v1/streams/not-a-uuid", "/v1/streams/3f2b1a9e-8c4d-4e6f-9a1b-2c3d4e5f6a7b"]) {
      const answer = await api<ErrorAnswer>("GET", path, undefined, "viewer");
      expect([answer.status, answer.body.error.code]).toEqual([404, "WE-STR-002"]);
    }
    const end = await api<ErrorAnswer>("POST", "/v1/streams/3f2b1a9e-8c4d-4e6f-9a1b-2c3d4e5f6a7b/end");
    expect([end.status, end.body.error.code]).toEqual([404, "WE-STR-002"]);
  });

  it("refuses a custom key another stream has (WE-STR-004), even one created a moment ago", async () => {
    const key = `custom-key-${Date.now()}-abcdef`;
    const first = await create("Custom", { stream_key: key });
    expect(first.stream_key).toBe(key);
    const again = await api<ErrorAnswer>("POST", "/v1/streams", { title: "Twin", stream_key: key });
    expect([again.status, again.body.error.code]).toEqual([409, "WE-STR-004"]);
  });

  it("admits the current key only, a stream created a moment ago included; a rotated or unknown key is refused", async () => {
    const { id, stream_key } = await create("Rotating");
    // admitted straight away: the lookup waits for the read model when it does not know the key yet
    const first = await kernel.liveSessions.admit(attempt(stream_key));
    expect(first).toMatchObject({ _tag: "Allowed", streamId: id, resumed: false, record: true });
    if (first._tag !== "Allowed") throw new Error("refused");
    await kernel.liveSessions.ended(id, first.sessionId, { reason: "done", recording: null });
    const rotated = await api<StreamKeyResponse>("POST", `/v1/streams/${id}/rotate-key`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.stream_key).not.toBe(stream_key);
    expect(await kernel.liveSessions.admit(attempt(stream_key))).toMatchObject({
      _tag: "Denied",
      code: "WE-STR-002",
    });
    expect(await kernel.liveSessions.admit(attempt("live_nobody-has-this-key-000000000"))).toMatchObject({
      _tag: "Denied",
      code: "WE-STR-002",
    });
    expect(await kernel.liveSessions.admit(attempt(rotated.body.stream_key))).toMatchObject({
      _tag: "Allowed",
      streamId: id,
    });
  });

  it("refuses a second publisher and settings while live (WE-STR-003), takes a new title; lists live streams first", async () => {
    const quiet = await create("Quiet");
    const { id, stream_key } = await create("On air");
    const later = await create("Created after");
    const admitted = await kernel.liveSessions.admit(attempt(stream_key));
    if (admitted._tag !== "Allowed") throw new Error("refused");
    expect(await kernel.liveSessions.admit(attempt(stream_key, "10.0.0.2"))).toMatchObject({
      _tag: "Denied",
      code: "WE-STR-003",
    });
    for (const [method, path, body] of [
      ["PUT", `/v1/streams/${id}`, { archive_enabled: false }],
      ["POST", `/v1/streams/${id}/rotate-key`, undefined],
      ["DELETE", `/v1/streams/${id}`, undefined],
    ] as const) {
      const answer = await api<ErrorAnswer>(method, path, body);
      expect([method, answer.status, answer.body.error.code]).toEqual([method, 409, "WE-STR-003"]);
    }
    const renamed = await api<{ status: string }>("PUT", `/v1/streams/${id}`, { title: "On air!" });
    expect([renamed.status, renamed.body.status]).toEqual([200, "live"]);
    const list = await api<ListStreamsResponse>(
      "GET",
      `/v1/streams?min_position=${renamed.position}`,
      undefined,
      "viewer",
    );
    const ids = list.body.streams.map((stream) => stream.id);
    expect(ids[0]).toBe(id);
    expect(list.body.streams[0]).toMatchObject({
      status: "live",
      title: "On air!",
      current_session_id: admitted.sessionId,
    });
    expect(ids.indexOf(later.id)).toBeLessThan(ids.indexOf(quiet.id));
    const shown = await detail(id);
    expect(shown.body.current_session).toMatchObject({
      id: admitted.sessionId,
      status: "live",
      protocol: "rtmp",
    });
    // the preview plays the session's playlist from job storage through a signed link
    const playlist = join(config.storageDir, recordingKeys(id, admitted.sessionId).playlist);
    await mkdir(dirname(playlist), { recursive: true });
    await writeFile(playlist, "#EXTM3U\n#EXT-X-TARGETDURATION:2\n");
    const preview = await fetch(`${kernel.url}${shown.body.preview_url}`);
    expect([preview.status, preview.headers.get("content-type")]).toEqual([
      200,
      "application/vnd.apple.mpegurl",
    ]);
    expect(await preview.text()).toContain("#EXTM3U");
    const forged = shown.body.preview_url!.replace(/\.[A-Za-z0-9_-]{32}\//, `.${"A".repeat(32)}/`);
    expect((await fetch(`${kernel.url}${forged}`)).status).toBe(401);
  });

  it("lists the sessions the log holds open for an ingest taking over after a crash: live, then reconnecting, then none", async () => {
    const { id, stream_key } = await create("Taken over");
    const openOf = async () =>
      (await kernel.liveSessions.openSessions()).filter((session) => session.streamId === id);
    expect(await openOf()).toEqual([]);
    const admitted = await kernel.liveSessions.admit(attempt(stream_key));
    if (admitted._tag !== "Allowed") throw new Error("refused");
    const [live] = await openOf();
    expect(live).toMatchObject({
      sessionId: admitted.sessionId,
      status: "live",
      interruptedAt: null,
      endRequested: false,
      record: true,
    });
    expect(Date.parse(live!.startedAt)).not.toBeNaN();
    await kernel.liveSessions.interrupted(id, admitted.sessionId, "The live ingest restarted.");
    const [away] = await openOf();
    expect(away).toMatchObject({ sessionId: admitted.sessionId, status: "reconnecting" });
    expect(Date.parse(away!.interruptedAt ?? "")).not.toBeNaN();
    await kernel.liveSessions.ended(id, admitted.sessionId, { reason: "window passed", recording: null });
    expect(await openOf()).toEqual([]);
  });

  it("resumes the same session within the reconnect window and starts a new one after it; ends and deletes", async () => {
    const { id, stream_key } = await create("Flaky uplink");
    const first = await kernel.liveSessions.admit(attempt(stream_key));
    if (first._tag !== "Allowed") throw new Error("refused");
    await kernel.liveSessions.interrupted(id, first.sessionId, "socket closed");
    const back = await kernel.liveSessions.admit(attempt(stream_key));
    expect(back).toEqual({ ...first, resumed: true });
    await kernel.liveSessions.interrupted(id, first.sessionId, "socket closed again");
    const away = await until(
      () => detail(id),
      (answer) => answer.body.status === "reconnecting" && answer.body.current_session?.interruptions === 2,
      "stream reconnecting a second time",
      10_000,
    );
    expect(away.body.current_session).toMatchObject({ status: "reconnecting", interruptions: 2 });
    await new Promise((resolve) => setTimeout(resolve, WINDOW_SECONDS * 1000 + 300));
    const anew = await kernel.liveSessions.admit(attempt(stream_key));
    expect(anew).toMatchObject({ _tag: "Allowed", resumed: false });
    if (anew._tag !== "Allowed") throw new Error("refused");
    expect(anew.sessionId).not.toBe(first.sessionId);
    // the first session's recording comes once its window has passed
    const recording = {
      objectKey: `live/${id}/${first.sessionId}/recording.mp4`,
      durationSeconds: 3,
      bytes: 10,
      segments: 1,
    };
    await kernel.liveSessions.ended(id, first.sessionId, { reason: "window passed", recording });

    const ended = await api<{ status: string }>("POST", `/v1/streams/${id}/end`);
    expect(ended.status).toBe(200);
    const ending = await api<StreamDetail>(
      "GET",
      `/v1/streams/${id}?min_position=${ended.position}`,
      undefined,
      "viewer",
    );
    expect(ending.body.current_session).toMatchObject({ id: anew.sessionId, end_requested: true });
    await kernel.liveSessions.interrupted(id, anew.sessionId, "kicked");
    const after = await until(
      () => detail(id),
      (answer) => answer.body.status === "idle" && answer.body.sessions.length === 2,
      "both sessions ended",
      10_000,
    );
    expect(after.body.sessions[1]).toMatchObject({
      id: first.sessionId,
      status: "ended",
      end_reason: "the publisher did not return within the reconnect window",
      interruptions: 2,
      recording: { object_key: recording.objectKey, bytes: 10, segments: 1 },
    });
    expect(after.body.sessions[0]).toMatchObject({
      id: anew.sessionId,
      status: "ended",
      end_reason: "ended on request",
    });
    const deleted = await api("DELETE", `/v1/streams/${id}`);
    expect(deleted.status).toBe(204);
    expect(
      (
        await api<ErrorAnswer>(
          "GET",
          `/v1/streams/${id}?min_position=${deleted.position}`,
          undefined,
          "viewer",
        )
      ).status,
    ).toBe(404);
    expect(await kernel.liveSessions.admit(attempt(stream_key))).toMatchObject({ _tag: "Denied" });
  });

  it("serves telemetry from the bus: the stats' latest figures, health and series, and SSE telemetry frames", async () => {
    const { id, stream_key } = await create("Telemetry");
    const admitted = await kernel.liveSessions.admit(attempt(stream_key));
    if (admitted._tag !== "Allowed") throw new Error("refused");
    await until(
      () => detail(id),
      (answer) => answer.body.status === "live",
      "live",
      10_000,
    );

    const feed = await fetch(`${kernel.url}/v1/events/stream?types=telemetry`, {
      headers: { authorization: `Bearer ${tokens.viewer}` },
    });
    expect(feed.status).toBe(200);
    const reader = feed.body!.getReader();
    const base = Date.parse("2026-11-01T08:00:00.000Z");
    const tick = (second: number): LiveTelemetryTick => ({
      streamId: id,
      sessionId: admitted.sessionId,
      at: new Date(base + second * 1000).toISOString(),
      videoBitrateKbps: 2000 + second,
      audioBitrateKbps: 128,
      fps: 30,
      keyframeIntervalSeconds: 2,
      droppedFrames: 0,
      uptimeSeconds: second,
      width: 640,
      height: 360,
      videoCodec: "h264",
      audioCodec: "aac",
      viewers: 7,
    });
    for (let second = 1; second <= 5; second++) bus.publishTelemetry(tick(second));

    let text = "";
    const decoder = new TextDecoder();
    while (!/event: telemetry\ndata: .*"uptime_seconds":5/.test(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    await reader.cancel();
    const frame = text.split("\n\n").find((part) => part.includes('"uptime_seconds":5'))!;
    expect(frame).not.toMatch(/^id:/m);
    expect(JSON.parse(frame.split("data: ")[1]!)).toMatchObject({
      stream_id: id,
      session_id: admitted.sessionId,
      video_bitrate_kbps: 2005,
      keyframe_interval_seconds: 2,
      viewers: 7,
    });

    const stats = await api<StreamStatsResponse>("GET", `/v1/streams/${id}/stats`, undefined, "viewer");
    expect(stats.body).toMatchObject({
      status: "live",
      viewers: 7,
      bitrate_kbps: 2005 + 128,
      fps: 30,
      video_bitrate_kbps: 2005,
      audio_bitrate_kbps: 128,
      uptime_seconds: 5,
      health: { verdict: "excellent" },
    });
    expect(stats.body.series.map((sample) => sample.video_bitrate_kbps)).toEqual([
      2001, 2002, 2003, 2004, 2005,
    ]);
    const summary = await api<ListStreamsResponse>("GET", "/v1/streams", undefined, "viewer");
    expect(summary.body.streams.find((stream) => stream.id === id)?.viewers).toBe(7);

    await kernel.liveSessions.ended(id, admitted.sessionId, { reason: "done", recording: null });
    const idle = await until(
      () => api<StreamStatsResponse>("GET", `/v1/streams/${id}/stats`, undefined, "viewer"),
      (answer) => answer.body.status === "idle",
      "idle",
      10_000,
    );
    expect(idle.body).toMatchObject({ bitrate_kbps: 0, series: [], health: { verdict: "offline" } });
  });
});
