// The live ingest host taking over the sessions an earlier run left open when it crashed: a first host
// records two publishers into real storage and dies (its storage writes stop, its publishers drop); a
// second host on the same storage resumes the session whose publisher returns, after the stored
// segments, and ends the other's with what was stored once the window passes. Real ffmpeg, real RTMP.
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenLiveSession, SessionRecording } from "../../domain/ports/liveSessions.ts";
import { recordingKeys } from "../../domain/stream/recordingKeys.ts";
import { createEmbeddedEngine } from "../../plugins/live-embedded/index.ts";
import { playlistSegments } from "../../plugins/sdk/recordingPlaylist.ts";
import { type StorageProvider, storageFailure } from "../../plugins/sdk/storageProvider.ts";
import { createFsStorage, type FsStorage } from "../../plugins/storage-fs/index.ts";
import { inMemoryLiveSessions } from "../../test/support/inMemoryLiveSessions.ts";
import { inspectMedia } from "../../test/support/inspectMedia.ts";
import { publishTestStream } from "../../test/support/publishTestStream.ts";
import { type LiveIngestHost, startLiveIngestHost } from "./liveIngestHost.ts";

const waitFor = async (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

/** Storage as a process that died sees it: nothing it writes after the crash lands. */
const untilCrash = (storage: StorageProvider) => {
  let crashed = false;
  const view: StorageProvider = Object.create(storage);
  view.put = async (ref, body, options) => {
    if (!crashed) return storage.put(ref, body, options);
    body.destroy();
    return storageFailure("unavailable", "The process is gone.", "");
  };
  const crash = () => {
    crashed = true;
  };
  return { view, crash };
};

describe("live ingest host taking over the sessions of a crashed run", () => {
  const back = { streamId: "stream-back", key: "live_back_0000000000000000" };
  const gone = { streamId: "stream-gone", key: "live_gone_0000000000000000" };
  const keys = new Map([
    [back.key, back.streamId],
    [gone.key, gone.streamId],
  ]);
  const windowMs = 12_000;
  let folder: string;
  let storage: FsStorage;
  const hosts: LiveIngestHost[] = [];

  const startHost = (
    sessions: ReturnType<typeof inMemoryLiveSessions>,
    store: StorageProvider,
    run: string,
  ) => {
    const host = startLiveIngestHost({
      engine: createEmbeddedEngine(),
      sessions,
      storage: store,
      publishTelemetry: () => {},
      ingest: { rtmpPort: 0, srtPort: null, publicHost: "127.0.0.1" },
      reconnectWindowMs: windowMs,
      scratchDir: join(folder, `scratch-${run}`),
      ffmpegPath: process.env.FFMPEG_PATH ?? "ffmpeg",
      ffprobePath: process.env.FFPROBE_PATH ?? "ffprobe",
      log: () => {},
    });
    hosts.push(host);
    return host;
  };
  const stored = (key: string) => join(folder, "storage", key);

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), "live-takeover-"));
    storage = await createFsStorage({ root: join(folder, "storage"), signing_key: "k".repeat(32) });
  });

  afterAll(async () => {
    for (const host of hosts) await host.stop();
    await storage?.close();
    await rm(folder, { recursive: true, force: true });
  });

  it("resumes a returning publisher's session after its stored segments, and ends the other's with what was stored", async () => {
    // the first run: two publishers recorded for about six seconds, then the process dies
    const firstSessions = inMemoryLiveSessions(keys, windowMs);
    const firstStorage = untilCrash(storage);
    const first = startHost(firstSessions, firstStorage.view, "first");
    const firstUrl = (await first.listening).rtmp ?? "";
    const publishers = [back, gone].map((stream) => publishTestStream(`${firstUrl}/${stream.key}`, 60));
    for (const stream of [back, gone]) {
      await waitFor(`${stream.streamId} live`, () => first.sessionOf(stream.streamId)?.publishing === true);
    }
    const sessionIds = new Map([back, gone].map((s) => [s.streamId, first.sessionOf(s.streamId)?.sessionId]));
    const sessionOf = (streamId: string) => sessionIds.get(streamId) ?? "";
    const backKeys = recordingKeys(back.streamId, sessionOf(back.streamId));
    const goneKeys = recordingKeys(gone.streamId, sessionOf(gone.streamId));
    await waitFor("three segments of each stored", () =>
      [backKeys, goneKeys].every((k) => existsSync(stored(k.segment(2)))),
    );
    firstStorage.crash();
    const crashedAt = Date.now();
    for (const publisher of publishers) publisher.child.kill("SIGKILL");
    await Promise.all(publishers.map((publisher) => publisher.exit));
    await first.stop(); // only frees its ports: it can write nothing any more
    const playlistAtCrash = await readFile(stored(backKeys.playlist), "utf8");
    const storedAtCrash = playlistSegments(playlistAtCrash);
    const firstSegment = await readFile(stored(backKeys.segment(0)));
    const goneAtCrash = playlistSegments(await readFile(stored(goneKeys.playlist), "utf8"));
    expect(storedAtCrash.length).toBeGreaterThanOrEqual(3);
    expect(playlistAtCrash).not.toContain("#EXT-X-ENDLIST");

    // the second run, a few seconds later, finds both sessions open in the log as the crash left them: live
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, crashedAt + 4000 - Date.now())));
    const leftOpen: OpenLiveSession[] = [back, gone].map((stream) => ({
      streamId: stream.streamId,
      sessionId: sessionOf(stream.streamId),
      status: "live",
      startedAt: new Date(Date.now() - 8000).toISOString(),
      interruptedAt: null,
      endRequested: false,
      record: true,
    }));
    const sessions = inMemoryLiveSessions(keys, windowMs, leftOpen);
    const takenOverAt = Date.now();
    const second = startHost(sessions, storage, "second");
    const secondUrl = (await second.listening).rtmp ?? "";
    await waitFor("both drops told", () => sessions.log.interrupted.length === 2);

    const returning = publishTestStream(`${secondUrl}/${back.key}`, 4);
    await waitFor("the publisher back", () => second.sessionOf(back.streamId)?.publishing === true);
    expect(sessions.log.admitted.at(-1)).toMatchObject({
      _tag: "Allowed",
      sessionId: sessionOf(back.streamId),
      resumed: true,
    });
    expect(await returning.exit).toBe(0);
    await waitFor("its drop", () => second.sessionOf(back.streamId)?.publishing === false);

    // the publisher that did not return: its session ends once the window passes, with what was stored
    // the window counts from the crash (the last segment stored before it), not from the take-over
    await waitFor("the other session ended", () => sessions.log.ended.length === 1, windowMs + 15_000);
    expect(Date.now()).toBeGreaterThanOrEqual(crashedAt + windowMs - 3000);
    expect(Date.now()).toBeLessThan(takenOverAt + windowMs);
    const [goneEnded] = sessions.log.ended;
    expect(goneEnded).toMatchObject({ streamId: gone.streamId, sessionId: sessionOf(gone.streamId) });
    const goneRecording = goneEnded?.recording as SessionRecording;
    expect(goneRecording).toMatchObject({ objectKey: goneKeys.recording, segments: goneAtCrash.length });
    const goneStoredSeconds = goneAtCrash.reduce((sum, segment) => sum + segment.durationSeconds, 0);
    expect(goneRecording.durationSeconds).toBeCloseTo(goneStoredSeconds, 0);
    const goneMedia = await inspectMedia(stored(goneKeys.recording));
    expect(goneMedia.streams.map((stream) => stream.codec_type).sort()).toEqual(["audio", "video"]);
    expect(await readFile(stored(goneKeys.playlist), "utf8")).toContain("#EXT-X-ENDLIST");

    await second.endStream(back.streamId, "The owner ended the stream.");
    const backEnded = sessions.log.ended.at(-1);
    expect(backEnded).toMatchObject({ streamId: back.streamId, sessionId: sessionOf(back.streamId) });
    const backRecording = backEnded?.recording as SessionRecording;
    // the segments stored before the crash are kept, and the new ones follow them after a discontinuity
    expect(await readFile(stored(backKeys.segment(0)))).toEqual(firstSegment);
    const finalSegments = playlistSegments(await readFile(stored(backKeys.playlist), "utf8"));
    expect(finalSegments.slice(0, storedAtCrash.length)).toEqual(storedAtCrash);
    expect(finalSegments.length).toBeGreaterThan(storedAtCrash.length);
    expect(finalSegments[storedAtCrash.length]).toMatchObject({
      index: storedAtCrash.length,
      discontinuity: true,
    });
    expect(backRecording.segments).toBe(finalSegments.length);
    const beforeCrash = storedAtCrash.reduce((sum, segment) => sum + segment.durationSeconds, 0);
    // what was stored before the crash and the four seconds after, give or take a segment's edge
    expect(backRecording.durationSeconds).toBeGreaterThan(beforeCrash + 2.5);
    expect(backRecording.durationSeconds).toBeLessThan(beforeCrash + 5.5);
    const backMedia = await inspectMedia(stored(backKeys.recording));
    expect(Number(backMedia.format.duration)).toBeCloseTo(backRecording.durationSeconds, 1);

    // a run that dies again after building a recording, before the session's end was told, does it again
    const again = inMemoryLiveSessions(keys, windowMs, [
      { ...leftOpen[1]!, status: "reconnecting", interruptedAt: new Date(takenOverAt).toISOString() },
    ]);
    startHost(again, storage, "third");
    await waitFor("the session ended again", () => again.log.ended.length === 1);
    expect(again.log.ended[0]?.recording).toEqual(goneRecording);
    expect(again.log.interrupted).toEqual([]);
  }, 90_000);
});
