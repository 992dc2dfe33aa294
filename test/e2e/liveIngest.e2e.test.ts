// Live streaming through `webencode up`, with ffmpeg playing OBS: RTMP and SRT publishers go live with
// their figures on the stats route and the feed, a wrong key is refused, a publisher that drops and
// comes back within the reconnect window continues its session, and the ended session's recording is
// archived as one VOD job that holds everything published.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSse } from "../../infra/cli/apiClient.ts";
import type {
  StreamDetail,
  StreamKeyResponse,
  StreamStatsResponse,
  TelemetryFrame,
} from "../../schemas/api/streamResponses.ts";
import { until } from "../support/kernelApi.ts";
import { probe } from "../support/mediaClip.ts";
import { type PlatformProcess, startPlatform } from "../support/platformProcess.ts";
import { publishTestStream } from "../support/publishTestStream.ts";

let dir: string;
let platform: PlatformProcess;
let token: string;
const telemetry: TelemetryFrame[] = [];
/** Polls until a check on the running platform holds. */
const waitUntil = (what: string, check: () => Promise<boolean>, ms = 20_000) =>
  until(check, (holds) => holds, what, ms);
const feed = new AbortController();

const api = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
  const response = await fetch(`${platform.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
};

const createStream = async (title: string) => {
  const created = await api<StreamKeyResponse>("POST", "/v1/streams", { title });
  expect(created.status).toBe(201);
  return created.body;
};

const streamOf = async (id: string) => (await api<StreamDetail>("GET", `/v1/streams/${id}`)).body;

/** Reads the feed's telemetry frames, with the bearer token, for as long as the file runs. */
async function followTelemetry() {
  const response = await fetch(`${platform.url}/v1/events/stream?types=telemetry`, {
    headers: { authorization: `Bearer ${token}` },
    signal: feed.signal,
  });
  expect(response.status).toBe(200);
  void (async () => {
    try {
      for await (const message of readSse(response)) {
        if (message.event === "telemetry") telemetry.push(JSON.parse(message.data) as TelemetryFrame);
      }
    } catch {
      // aborted when the file ends
    }
  })();
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-live-e2e-"));
  platform = await startPlatform(join(dir, "data"), join(dir, "media"), {
    WEBENCODE_LIVE_RECONNECT_WINDOW: "15s",
  });
  token = platform.adminToken!;
  await followTelemetry();
});

afterAll(async () => {
  feed.abort();
  await platform?.kill();
  await rm(dir, { recursive: true, force: true });
});

describe("live ingest through webencode up", () => {
  it("an RTMP and an SRT publisher go live: status, stats, viewers of the preview and telemetry on the feed", async () => {
    const [rtmp, srt] = await Promise.all([createStream("Studio RTMP"), createStream("Studio SRT")]);
    expect(rtmp.ingest_url).toMatch(/^rtmp:\/\/[\d.]+:\d+\/live$/);
    expect(srt.ingest_urls.srt).toMatch(/^srt:\/\/[\d.]+:\d+\?/);
    const publishers = [
      publishTestStream(`${rtmp.ingest_url}/${rtmp.stream_key}`, 30),
      publishTestStream(srt.ingest_urls.srt!, 30, "mpegts"),
    ];
    try {
      for (const stream of [rtmp, srt]) {
        await waitUntil(`${stream.id} live`, async () => (await streamOf(stream.id)).status === "live");
        await waitUntil(`${stream.id} figures`, async () => {
          const stats = (await api<StreamStatsResponse>("GET", `/v1/streams/${stream.id}/stats`)).body;
          return stats.sampled_at !== null && stats.fps > 0 && stats.video_bitrate_kbps > 0;
        });
        const stats = (await api<StreamStatsResponse>("GET", `/v1/streams/${stream.id}/stats`)).body;
        expect(stats).toMatchObject({
          status: "live",
          width: 320,
          height: 240,
          video_codec: expect.stringMatching(/h264/i),
          audio_codec: expect.stringMatching(/aac/i),
        });
        expect(stats.audio_bitrate_kbps).toBeGreaterThan(0);
        await waitUntil(`${stream.id} telemetry on the feed`, async () =>
          telemetry.some((frame) => frame.stream_id === stream.id && frame.fps > 0),
        );
      }
      // two players of the RTMP stream's preview are its viewers, on the stats and on the feed
      const previewUrl = `${platform.url}${(await streamOf(rtmp.id)).preview_url}`;
      const play = (player: string) =>
        fetch(previewUrl, { headers: { "user-agent": player } }).then((r) => r.status);
      await waitUntil("the preview playlist", async () => (await play("player one")) === 200);
      expect(await play("player two")).toBe(200);
      await waitUntil("two viewers", async () => {
        const stats = (await api<StreamStatsResponse>("GET", `/v1/streams/${rtmp.id}/stats`)).body;
        return stats.viewers === 2;
      });
      await waitUntil("two viewers on the feed", async () =>
        telemetry.some((frame) => frame.stream_id === rtmp.id && frame.viewers === 2),
      );
      expect((await api<StreamStatsResponse>("GET", `/v1/streams/${srt.id}/stats`)).body.viewers).toBe(0);
      const detail = await streamOf(srt.id);
      expect(detail.current_session).toMatchObject({ protocol: "srt", status: "live" });
      expect((await streamOf(rtmp.id)).current_session).toMatchObject({ protocol: "rtmp", status: "live" });
      // the feed never carries a key
      expect(JSON.stringify(telemetry)).not.toContain(rtmp.stream_key);
      expect(JSON.stringify(telemetry)).not.toContain(srt.stream_key);
    } finally {
      for (const publisher of publishers) publisher.child.kill("SIGKILL");
      await Promise.all(publishers.map((publisher) => publisher.exit));
      for (const stream of [rtmp, srt]) {
        expect((await api("POST", `/v1/streams/${stream.id}/end`)).status).toBe(200);
        // the end is asked: the session closes once the ingest has let the publisher go
        await waitUntil(
          `${stream.id} ended`,
          async () => (await streamOf(stream.id)).status === "idle",
          40_000,
        );
      }
    }
  });

  it("refuses RTMP and SRT publishers with a wrong key: they fail and nothing goes live", async () => {
    const stream = await createStream("Wrong key");
    const wrongKey = "live_not_the_key_0000000000";
    const wrong = [
      publishTestStream(`${stream.ingest_url}/${wrongKey}`, 5),
      publishTestStream(stream.ingest_urls.srt!.replace(stream.stream_key, wrongKey), 5, "mpegts"),
    ];
    expect(stream.ingest_urls.srt).toContain(stream.stream_key);
    for (const publisher of wrong) expect(await publisher.exit).not.toBe(0);
    const { body } = await api<{ streams: Array<{ status: string }> }>("GET", "/v1/streams");
    expect(body.streams.filter((s) => s.status !== "idle")).toEqual([]);
    expect((await streamOf(stream.id)).session_count).toBe(0);
  });

  it("a publisher that drops for 5 s and comes back keeps one session; its end archives all of it", async () => {
    const stream = await createStream("Flaky uplink");
    const url = `${stream.ingest_url}/${stream.stream_key}`;
    const first = publishTestStream(url, 60);
    await waitUntil("live", async () => (await streamOf(stream.id)).status === "live");
    await new Promise((resolve) => setTimeout(resolve, 3000));
    first.child.kill("SIGKILL");
    await first.exit;
    const firstPart = first.sentSec();
    await waitUntil("reconnecting", async () => (await streamOf(stream.id)).status === "reconnecting");
    await new Promise((resolve) => setTimeout(resolve, 5000));

    const second = publishTestStream(url, 60);
    await waitUntil("live again", async () => (await streamOf(stream.id)).status === "live");
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const ended = await api<{ status: string }>("POST", `/v1/streams/${stream.id}/end`);
    expect(ended.status).toBe(200);
    expect(await second.exit).not.toBeNull(); // the end disconnects the publisher
    const secondPart = second.sentSec();

    await waitUntil("the session archived", async () => {
      const detail = await streamOf(stream.id);
      return detail.sessions[0]?.archive_job_id != null;
    });
    const detail = await streamOf(stream.id);
    expect(detail).toMatchObject({ status: "idle", session_count: 1, current_session: null });
    expect(detail.sessions).toHaveLength(1);
    const [session] = detail.sessions;
    expect(session).toMatchObject({ status: "ended", interruptions: 1, end_requested: true });
    expect(session!.recording).not.toBeNull();

    const jobId = session!.archive_job_id!;
    await waitUntil(
      "the archive job done",
      async () => {
        const job = await api<{ status: string }>("GET", `/v1/jobs/${jobId}`);
        if (job.body.status === "failed") throw new Error(`archive job failed: ${JSON.stringify(job.body)}`);
        return job.body.status === "completed";
      },
      60_000,
    );
    const job = await api<{ source_type: string }>("GET", `/v1/jobs/${jobId}`);
    expect(job.body.source_type).toBe("stream");
    const outputs = await api<{ outputs: Array<{ download_url: string }> }>(
      "GET",
      `/v1/jobs/${jobId}/outputs`,
    );
    expect(outputs.body.outputs).toHaveLength(1);
    const file = join(dir, "archive.mp4");
    await writeFile(
      file,
      Buffer.from(await (await fetch(outputs.body.outputs[0]!.download_url)).arrayBuffer()),
    );
    const archived = await probe(file);
    expect(archived.video?.codec).toBe("h264");
    expect(archived.audio).toEqual({ codec: "aac" });
    const published = firstPart + secondPart;
    expect(Math.abs(session!.recording!.duration_seconds - published)).toBeLessThanOrEqual(1.5);
    expect(Math.abs(archived.durationSec - published)).toBeLessThanOrEqual(1.5);
  });
});
