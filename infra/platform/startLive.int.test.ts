// Live ingest as a platform process starts it: its settings, its recordings in job storage, and the
// stream events that end a session. The stream aggregate is not here yet: an in-memory LiveSessions
// stands in for it, and the events are appended as the aggregate will append them.
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LiveTelemetryTick } from "../../domain/ports/liveSessions.ts";
import { recordingKeys } from "../../domain/stream/recordingKeys.ts";
import { createFsStorage, type FsStorage } from "../../plugins/storage-fs/index.ts";
import { liveStream } from "../../schemas/events/streamNames.ts";
import { inMemoryLiveSessions } from "../../test/support/inMemoryLiveSessions.ts";
import { publishTestStream } from "../../test/support/publishTestStream.ts";
import { createMemoryEventStore } from "../eventstore/memory/memoryEventStore.ts";
import { loadConfig } from "./platformConfig.ts";
import { type LiveIngest, startLive } from "./startLive.ts";

const waitFor = async (what: string, check: () => boolean, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

describe("startLive", () => {
  const streamId = "stream-b2";
  const key = "live_8d2e6a0c4f1b3d5e7a9c";
  const store = createMemoryEventStore();
  const sessions = inMemoryLiveSessions(new Map([[key, streamId]]), 2000);
  const ticks: LiveTelemetryTick[] = [];
  let folder: string;
  let storage: FsStorage;
  let live: LiveIngest;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), "start-live-"));
    storage = await createFsStorage({ root: join(folder, "storage"), signing_key: "k".repeat(32) });
    const config = loadConfig(
      { data: folder },
      {
        WEBENCODE_RTMP_PORT: "0",
        WEBENCODE_SRT_PORT: "off",
        WEBENCODE_LIVE_RECONNECT_WINDOW: "2s",
      },
    );
    live = await startLive(config, {
      store,
      sessions,
      storage,
      publishTelemetry: (tick) => ticks.push(tick),
      log: () => {},
    });
  });

  afterAll(async () => {
    await live?.stop();
    await storage?.close();
    await rm(folder, { recursive: true, force: true });
  });

  it("closes a session whose publisher does not come back within the reconnect window", async () => {
    expect(Object.keys(live.urls)).toEqual(["rtmp"]);
    const publisher = publishTestStream(`${live.urls.rtmp}/${key}`, 3);
    await waitFor("the stream to go live", () => live.host.sessionOf(streamId)?.publishing === true);
    const { sessionId } = live.host.sessionOf(streamId) ?? { sessionId: "" };
    expect(await publisher.exit).toBe(0);
    await waitFor("the session to end", () => sessions.log.ended.length === 1);
    expect(sessions.log.ended[0]).toMatchObject({
      streamId,
      sessionId,
      reason: "The publisher did not come back within the reconnect window.",
      recording: { objectKey: recordingKeys(streamId, sessionId).recording },
    });
    expect(existsSync(join(folder, "storage", recordingKeys(streamId, sessionId).recording))).toBe(true);
    expect(ticks.some((tick) => tick.sessionId === sessionId)).toBe(true);
  }, 60_000);

  it("kicks the publisher and closes its session when the stream's key is rotated", async () => {
    const publisher = publishTestStream(`${live.urls.rtmp}/${key}`, 30);
    await waitFor("the stream to go live", () => live.host.sessionOf(streamId)?.publishing === true);
    await store.append(
      liveStream.name(streamId),
      [{ id: randomUUID(), type: "StreamKeyRotated", data: { stream_id: streamId }, metadata: {} }],
      { expected: "any" },
    );
    expect(await publisher.exit).not.toBe(0);
    await waitFor("the session to end", () => sessions.log.ended.length === 2);
    expect(sessions.log.ended[1]).toMatchObject({ streamId, reason: "The stream key was rotated." });
    expect(live.host.sessionOf(streamId)).toBeNull();
    expect(live.host.recorderPids).toEqual([]);
  }, 60_000);
});
