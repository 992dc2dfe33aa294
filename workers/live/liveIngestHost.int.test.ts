// The live ingest host over the embedded engine, with real ffmpeg publishers over RTMP and SRT and real
// storage. Until the stream aggregate lands, the host is driven by an in-memory LiveSessions.
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LiveTelemetryTick, SessionRecording } from "../../domain/ports/liveSessions.ts";
import { recordingKeys } from "../../domain/stream/recordingKeys.ts";
import { createEmbeddedEngine } from "../../plugins/live-embedded/index.ts";
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

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("live ingest host (embedded RTMP and SRT)", () => {
  const streamId = "stream-a1";
  const key = "live_3f9c2b7e5d1a4c8b9e0f";
  let folder: string;
  let storage: FsStorage;
  let host: LiveIngestHost;
  let rtmpUrl: string;
  let srtUrl: string;
  const ticks: LiveTelemetryTick[] = [];
  const sessions = inMemoryLiveSessions(new Map([[key, streamId]]), 30_000);

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), "live-host-"));
    storage = await createFsStorage({ root: join(folder, "storage"), signing_key: "k".repeat(32) });
    host = startLiveIngestHost({
      engine: createEmbeddedEngine(),
      sessions,
      storage,
      publishTelemetry: (tick) => ticks.push(tick),
      ingest: { rtmpPort: 0, srtPort: 0, publicHost: "127.0.0.1" },
      reconnectWindowMs: 30_000,
      scratchDir: join(folder, "scratch"),
      ffmpegPath: process.env.FFMPEG_PATH ?? "ffmpeg",
      ffprobePath: process.env.FFPROBE_PATH ?? "ffprobe",
      log: () => {},
    });
    const listening = await host.listening;
    rtmpUrl = listening.rtmp ?? "";
    srtUrl = listening.srt ?? "";
  });

  afterAll(async () => {
    await host?.stop();
    await storage?.close();
    await rm(folder, { recursive: true, force: true });
  });

  it("refuses a wrong key before any media, takes the right one, and records a publisher that drops and comes back as one session", async () => {
    expect(rtmpUrl).toMatch(/^rtmp:\/\/127\.0\.0\.1:\d+\/live$/);

    const wrong = publishTestStream(`${rtmpUrl}/live_not_a_key`, 3);
    expect(await wrong.exit).not.toBe(0);
    expect(sessions.log.admitted).toEqual([expect.objectContaining({ _tag: "Denied", code: "WE-STR-002" })]);
    expect(existsSync(join(folder, "storage", "live"))).toBe(false);

    const first = publishTestStream(`${rtmpUrl}/${key}`, 6);
    await waitFor("the stream to go live", () => host.sessionOf(streamId)?.publishing === true);
    const { sessionId } = host.sessionOf(streamId) ?? { sessionId: "" };
    const keys = recordingKeys(streamId, sessionId);

    const second = publishTestStream(`${rtmpUrl}/${key}`, 3);
    expect(await second.exit).not.toBe(0);
    expect(sessions.log.admitted.at(-1)).toMatchObject({ _tag: "Denied", code: "WE-STR-003" });

    await waitFor(
      "a segment and the preview playlist in storage while live",
      () =>
        existsSync(join(folder, "storage", keys.playlist)) &&
        existsSync(join(folder, "storage", keys.segment(0))),
    );
    const livePlaylist = await readFile(join(folder, "storage", keys.playlist), "utf8");
    expect(livePlaylist).toContain("#EXT-X-PLAYLIST-TYPE:EVENT");
    expect(livePlaylist).not.toContain("#EXT-X-ENDLIST");

    await waitFor(
      "telemetry ticks past the second keyframe",
      () => ticks.length >= 3 && ticks.at(-1)?.keyframeIntervalSeconds != null,
    );
    const tick = ticks.at(-1);
    expect(tick).toMatchObject({ streamId, sessionId, width: 320, height: 240, videoCodec: "h264" });
    expect(tick?.fps).toBeGreaterThan(15);
    expect(tick?.fps).toBeLessThan(35);
    expect(tick?.videoBitrateKbps).toBeGreaterThan(0);
    expect(tick?.audioBitrateKbps).toBeGreaterThan(0);
    expect(tick?.keyframeIntervalSeconds).toBeCloseTo(2, 0);
    expect(tick?.uptimeSeconds).toBeGreaterThanOrEqual(1);

    expect(await first.exit).toBe(0);
    await waitFor("the drop to be told", () => sessions.log.interrupted.length === 1);
    expect(host.sessionOf(streamId)).toEqual({ sessionId, publishing: false });
    expect(host.readUrlOf(streamId)).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 5000));

    const back = publishTestStream(`${rtmpUrl}/${key}`, 4);
    await waitFor("the publisher to be back", () => host.sessionOf(streamId)?.publishing === true);
    expect(sessions.log.admitted.at(-1)).toMatchObject({ _tag: "Allowed", sessionId, resumed: true });
    expect(host.readUrlOf(streamId)).toMatch(/^rtmp:\/\/127\.0\.0\.1:\d+\/read\/[0-9a-f]{32}$/);
    expect(await back.exit).toBe(0);
    await waitFor("the second drop to be told", () => sessions.log.interrupted.length === 2);

    await host.endStream(streamId, "The owner ended the stream.");
    expect(sessions.log.ended).toHaveLength(1);
    const [ended] = sessions.log.ended;
    expect(ended).toMatchObject({ streamId, sessionId, reason: "The owner ended the stream." });
    expect(ended?.recording).toMatchObject({ objectKey: keys.recording });
    const recording = ended?.recording as SessionRecording;
    expect(recording.segments).toBeGreaterThanOrEqual(4);
    // Both parts: 6 s and 4 s of media, give or take a segment's edge.
    expect(recording.durationSeconds).toBeGreaterThan(8.5);
    expect(recording.durationSeconds).toBeLessThan(11.5);

    const stored = join(folder, "storage", keys.recording);
    const media = await inspectMedia(stored);
    expect(media.streams.map((stream) => stream.codec_type).sort()).toEqual(["audio", "video"]);
    expect(Number(media.format.duration)).toBeCloseTo(recording.durationSeconds, 1);
    const finalPlaylist = await readFile(join(folder, "storage", keys.playlist), "utf8");
    expect(finalPlaylist).toContain("#EXT-X-DISCONTINUITY");
    expect(finalPlaylist.trimEnd().endsWith("#EXT-X-ENDLIST")).toBe(true);

    expect(host.sessionOf(streamId)).toBeNull();
    expect(host.recorderPids).toEqual([]);
    expect(await readdir(join(folder, "scratch", streamId))).toEqual([]);
  }, 90_000);

  it("takes an SRT publisher with its key as streamid after refusing a wrong one, and records it through a recorder crash", async () => {
    expect(srtUrl).toMatch(/^srt:\/\/127\.0\.0\.1:\d+$/);
    const admittedBefore = sessions.log.admitted.length;
    const wrong = publishTestStream(`${srtUrl}?streamid=live_not_a_key`, 3, "mpegts");
    expect(await wrong.exit).not.toBe(0);
    expect(sessions.log.admitted.slice(admittedBefore)).toEqual([
      expect.objectContaining({ _tag: "Denied", code: "WE-STR-002" }),
    ]);

    const ticksBefore = ticks.length;
    const right = publishTestStream(`${srtUrl}?streamid=${key}`, 7, "mpegts");
    await waitFor("the SRT stream to go live", () => host.sessionOf(streamId)?.publishing === true);
    const { sessionId } = host.sessionOf(streamId) ?? { sessionId: "" };
    await waitFor("telemetry of the SRT stream", () =>
      ticks.slice(ticksBefore).some((tick) => tick.sessionId === sessionId && tick.fps > 15),
    );
    const keys = recordingKeys(streamId, sessionId);
    await waitFor("a first segment", () => existsSync(join(folder, "storage", keys.segment(0))));
    const [crashed] = host.recorderPids;
    process.kill(crashed ?? 0, "SIGKILL");
    await waitFor("a restarted recorder", () => host.recorderPids.some((pid) => pid !== crashed), 10_000);
    expect(await right.exit).toBe(0);
    await waitFor("the SRT publisher's leaving", () => host.sessionOf(streamId)?.publishing === false);
    await host.endStream(streamId, "The owner ended the stream.");
    const ended = sessions.log.ended.at(-1);
    expect(ended).toMatchObject({ streamId, sessionId });
    // 7 s published; the crash costs the segment it had open (up to 2 s) and the restart's half second.
    expect(ended?.recording?.durationSeconds).toBeGreaterThan(3.5);
    expect(ended?.recording?.durationSeconds).toBeLessThan(7.5);
    const media = await inspectMedia(join(folder, "storage", keys.recording));
    expect(media.streams.map((stream) => stream.codec_type).sort()).toEqual(["audio", "video"]);
    expect(await readFile(join(folder, "storage", keys.playlist), "utf8")).toContain("#EXT-X-DISCONTINUITY");
  }, 60_000);

  it("stops every recorder and publisher connection when it stops", async () => {
    const publisher = publishTestStream(`${rtmpUrl}/${key}`, 30);
    await waitFor("the stream to go live", () => host.sessionOf(streamId)?.publishing === true);
    await waitFor("a recorder", () => host.recorderPids.length === 1);
    const [recorder] = host.recorderPids;
    await host.stop();
    expect(recorder !== undefined && alive(recorder)).toBe(false);
    expect(await publisher.exit).not.toBe(0);
    expect(sessions.log.ended.at(-1)).toMatchObject({ streamId, reason: "The live ingest stopped." });
  }, 60_000);
});
