// The restream API through a real kernel, real ffmpeg and a real RTMP receiver: destination URLs checked
// (WE-STR-005) and masked, a file restream with loop scheduled two seconds ahead that starts on time and
// loops, a destination that falls behind counting its skips, a recurring one on its cron, stop (nothing left running), edit keeping a destination's sealed
// URL, delete, and a kernel started again that resumes the restream that was on.
import { execFileSync } from "node:child_process";
import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type PlatformDatabase } from "../../infra/platform/openDatabase.ts";
import { loadConfig, type PlatformConfig } from "../../infra/platform/platformConfig.ts";
import { type Kernel, startKernel } from "../../infra/platform/startKernel.ts";
import { createMemoryProgressBus } from "../../infra/progress/memoryProgressBus.ts";
import { createMemoryWorkQueue } from "../../infra/queue/memory/memoryWorkQueue.ts";
import type { RestreamDetail, RestreamWrittenResponse } from "../../schemas/api/restreamResponses.ts";
import { restreamStream } from "../../schemas/events/streamNames.ts";
import { kernelApi, until } from "../../test/support/kernelApi.ts";
import { makeClip } from "../../test/support/mediaClip.ts";
import { makeNoisyClip } from "../../test/support/noisyClip.ts";
import {
  freeTcpPort,
  longestGap,
  type RtmpReceiver,
  startRtmpReceiver,
  videoPacketTimes,
} from "../../test/support/rtmpReceiver.ts";
import { startStallingProxy } from "../../test/support/stallingProxy.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/testDatabase.ts";

let database: TestDatabase;
let db: PlatformDatabase;
let kernel: Kernel;
let dir: string;
let config: PlatformConfig;
let headers: Record<string, string>;

const start = () => startKernel(config, db, createMemoryWorkQueue(), createMemoryProgressBus(), () => {});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-restreams-"));
  await chmod(dir, 0o755);
  const mediaDir = join(dir, "media");
  await mkdir(mediaDir);
  await makeClip(join(mediaDir, "loop.mp4"), { seconds: 2, width: 160, height: 120 });
  await makeNoisyClip(join(mediaDir, "noisy.flv"));
  database = await createTestDatabase("restream_api");
  // a file's start held 1 s at most for destinations still connecting, instead of the default 5 s
  config = loadConfig(
    { port: "0", data: join(dir, "data"), "media-dir": mediaDir },
    { WEBENCODE_RESTREAM_START_HOLD: "1s" },
  );
  db = await openDatabase({ dataDir: config.dataDir, databaseUrl: database.url });
  kernel = await start();
  const system = { userId: "system", role: "system" } as const;
  const operator = await kernel.tokens.issue({ name: "operator", role: "operator" }, system);
  if (operator._tag !== "Issued") throw new Error("no token");
  headers = { authorization: `Bearer ${operator.token}`, "content-type": "application/json" };
  // the restreams read model is made when its projector first starts, a moment after the kernel answers
  await until(
    () => fetch(`${kernel.url}/v1/restreams`, { headers }).then((response) => response.status),
    (status) => status === 200,
    "the restreams read model made",
  );
}, 60_000);
afterAll(async () => {
  await kernel?.stop();
  await db?.close();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

const api = kernelApi(
  () => kernel.url,
  () => headers,
);
const detail = (id: string) => api<RestreamDetail>("GET", `/v1/restreams/${id}`).then((a) => a.body);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ffmpegChildren = () => {
  try {
    return execFileSync("ps", ["-o", "comm=", "--ppid", String(process.pid)], { encoding: "utf8" })
      .split("\n")
      .filter((line) => line.includes("ffmpeg"));
  } catch {
    return [];
  }
};

const fileRestream = (url: string, extra: object = {}) => ({
  title: "Loop",
  input_type: "file",
  input_url: "fs://loop.mp4",
  loop_enabled: true,
  output_destinations: [{ platform: "custom", url }],
  ...extra,
});

describe("restreams API", () => {
  it("refuses a destination that is not rtmp(s)/srt (WE-STR-005) and an input without its field (WE-STR-013)", async () => {
    const bad = await api<{ error: { code: string; details: string } }>(
      "POST",
      "/v1/restreams",
      fileRestream("http://example.com/live/secret-key-1234"),
    );
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe("WE-STR-005");
    expect(JSON.stringify(bad.body)).not.toContain("secret-key-1234");
    const noInput = await api<{ error: { code: string } }>("POST", "/v1/restreams", {
      ...fileRestream("rtmp://127.0.0.1:1/live/key"),
      input_url: undefined,
    });
    expect(noInput.status).toBe(400);
    expect(noInput.body.error.code).toBe("WE-STR-013");
    const missing = await api<{ error: { code: string } }>(
      "GET",
      "/v1/restreams/6b0f6f0e-2f0a-4c38-9d43-0f0e2d7e1a11",
    );
    expect(missing.body.error.code).toBe("WE-STR-010");
  });

  it("keeps a destination's re-encode (its rates, shown in the API) and refuses one out of range naming the field", async () => {
    const capped = { platform: "twitch", url: "rtmp://127.0.0.1:1/app/capped-key-5678" };
    const tooLow = await api<{ error: { code: string; details: string } }>("POST", "/v1/restreams", {
      ...fileRestream("rtmp://127.0.0.1:1/app/copy-key-1234"),
      output_destinations: [{ ...capped, transcode: { video_bitrate_kbps: 10 } }],
      schedule_type: "scheduled",
      schedule_config: { start_at: new Date(Date.now() + 3_600_000).toISOString() },
    });
    expect(tooLow.status).toBe(400);
    expect(tooLow.body.error.details).toContain("video_bitrate_kbps");
    const created = await api<RestreamWrittenResponse>("POST", "/v1/restreams", {
      ...fileRestream("rtmp://127.0.0.1:1/app/copy-key-1234"),
      output_destinations: [
        { platform: "custom", url: "rtmp://127.0.0.1:1/app/copy-key-1234" },
        { ...capped, transcode: { video_bitrate_kbps: 3000 } },
      ],
      schedule_type: "scheduled",
      schedule_config: { start_at: new Date(Date.now() + 3_600_000).toISOString() },
    });
    expect(created.status).toBe(201);
    const shown = await until(
      () => detail(created.body.id),
      (d) => d.output_destinations !== undefined,
      "the restream in the read model",
    );
    expect(shown.output_destinations.map((d) => d.transcode)).toEqual([
      null,
      { video_bitrate_kbps: 3000, audio_bitrate_kbps: 128 },
    ]);
    await fetch(`${kernel.url}/v1/restreams/${created.body.id}`, { method: "DELETE", headers });
  });

  it("starts a looping file restream at its scheduled time, masks its key, stops it, keeps the URL on edit, deletes it", async () => {
    const receiver = startRtmpReceiver(await freeTcpPort(), join(dir, "scheduled.flv"));
    await receiver.listening();
    const startAt = new Date(Date.now() + 2000);
    const created = await api<RestreamWrittenResponse>(
      "POST",
      "/v1/restreams",
      fileRestream(receiver.url, {
        schedule_type: "scheduled",
        schedule_config: { start_at: startAt.toISOString() },
      }),
    );
    expect(created.status).toBe(201);
    expect(created.body.status).toBe("stopped");
    const id = created.body.id;
    try {
      const before = await until(
        () => api<RestreamDetail>("GET", `/v1/restreams/${id}`),
        (a) => a.status === 200,
        "projected",
        5000,
      );
      expect(before.body.output_destinations[0]!.url).toMatch(/^rtmp:\/\/127\.0\.0\.1:\d+\/live\/••••0001$/);
      const live = await until(
        () => detail(id),
        (d) => d.output_destinations?.[0]?.status === "live",
        "destination live",
        20_000,
      );
      expect(Date.parse(live.started_at!)).toBeGreaterThanOrEqual(startAt.getTime() - 50);
      expect(Date.parse(live.started_at!)).toBeLessThan(startAt.getTime() + 1500);
      expect(live.status).toBe("streaming");
      await sleep(3500); // past the 2 s clip's end: it loops
      const streaming = await detail(id);
      expect(streaming.output_destinations[0]!.bitrate_kbps).toBeGreaterThan(0);
      expect(streaming.output_destinations[0]!.uptime_seconds).toBeGreaterThanOrEqual(2);
      expect(streaming.output_destinations[0]!.skips).toBe(0);

      const stopped = await api<RestreamWrittenResponse>("POST", `/v1/restreams/${id}/stop`);
      expect(stopped.body.status).toBe("stopped");
      const stoppedDetail = await until(
        () => detail(id),
        (d) => d.status === "stopped",
        "stopped",
        10_000,
      );
      // live figures belong to a run: none without one
      expect(stoppedDetail.output_destinations[0]).toMatchObject({ bitrate_kbps: null, skips: null });
      await until(
        async () => ffmpegChildren().length,
        (n) => n <= 1,
        "no ffmpeg of the run left",
        10_000,
      );
      expect(
        (await api<{ error: { code: string } }>("POST", `/v1/restreams/${id}/stop`)).body.error.code,
      ).toBe("WE-STR-014");

      const kept = live.output_destinations[0]!;
      const edited = await api<RestreamWrittenResponse>("PUT", `/v1/restreams/${id}`, {
        ...fileRestream(receiver.url),
        title: "Renamed",
        output_destinations: [{ id: kept.id, platform: "youtube", enabled: false }],
      });
      expect(edited.status).toBe(200);
      const after = await until(
        () => detail(id),
        (d) => d.title === "Renamed",
        "edited",
        5000,
      );
      expect(after.output_destinations[0]).toMatchObject({ id: kept.id, url: kept.url, platform: "youtube" });
    } finally {
      await receiver.close();
    }
    const times = await videoPacketTimes(receiver.file);
    expect(times.at(-1)! - times[0]!).toBeGreaterThan(3.5);
    expect(longestGap(times)).toBeLessThan(0.5);

    const stored = await db.store.readStream(restreamStream.name(id));
    expect(stored.map((e) => e.type)).toContain("RestreamStarted");
    expect(stored.find((e) => e.type === "RestreamStarted")?.data).toMatchObject({ trigger: "schedule" });
    expect(JSON.stringify(stored)).not.toContain("stream-key-0001");

    const deleted = await fetch(`${kernel.url}/v1/restreams/${id}`, { method: "DELETE", headers });
    expect(deleted.status).toBe(204);
    await until(
      () => api<unknown>("GET", `/v1/restreams/${id}`).then((a) => a.status),
      (s) => s === 404,
      "gone",
      5000,
    );
  }, 60_000);

  it("holds a file's start for a destination that hangs as long as WEBENCODE_RESTREAM_START_HOLD says", async () => {
    const receiver = startRtmpReceiver(await freeTcpPort(), join(dir, "held.flv"));
    // an ingest that takes the connection and never answers the handshake
    const sockets: Socket[] = [];
    const hung = createServer((socket) => void sockets.push(socket));
    const hungPort = await freeTcpPort();
    await new Promise<void>((resolve) => hung.listen(hungPort, "127.0.0.1", resolve));
    await receiver.listening();
    const startedAt = Date.now();
    const created = await api<RestreamWrittenResponse>("POST", "/v1/restreams", {
      ...fileRestream(receiver.url, { loop_enabled: false, simulate_live: true }),
      output_destinations: [
        { platform: "custom", url: receiver.url },
        { platform: "custom", url: `rtmp://127.0.0.1:${hungPort}/live/stream-key-0009` },
      ],
    });
    expect(created.status).toBe(201);
    try {
      await until(
        () => detail(created.body.id),
        (d) => d.output_destinations?.[0]?.status === "live",
        "the answering destination live",
        20_000,
      );
      // the file waited for the hung destination the 1 s configured, not the default 5 s
      const liveAfterMs = Date.now() - startedAt;
      expect(liveAfterMs).toBeGreaterThanOrEqual(1000);
      expect(liveAfterMs).toBeLessThan(4500);
    } finally {
      await api("POST", `/v1/restreams/${created.body.id}/stop`);
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => hung.close(resolve));
      await receiver.close();
    }
  }, 60_000);

  it("shows per destination how many times it fell behind and skipped to a keyframe", async () => {
    const [healthyPort, slowPort, proxyPort] = await Promise.all([0, 1, 2].map(() => freeTcpPort()));
    const healthy = startRtmpReceiver(healthyPort!, join(dir, "skips-healthy.flv"));
    const slow = startRtmpReceiver(slowPort!, join(dir, "skips-slow.flv"));
    const proxy = await startStallingProxy(proxyPort!, slowPort!);
    // about 40 Mb/s at the media's own pace: a destination that stops reading fills its buffers within seconds
    const created = await api<RestreamWrittenResponse>("POST", "/v1/restreams", {
      ...fileRestream(healthy.url, { input_url: "fs://noisy.flv", simulate_live: true }),
      output_destinations: [
        { platform: "custom", url: healthy.url },
        { platform: "custom", url: slow.url.replace(`:${slowPort}/`, `:${proxyPort}/`) },
      ],
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    try {
      const live = await until(
        () => detail(id),
        (d) => d.output_destinations?.length === 2 && d.output_destinations.every((x) => x.status === "live"),
        "both live",
        20_000,
      );
      expect(live.output_destinations.map((d) => d.skips)).toEqual([0, 0]);
      await sleep(1000);
      // it stops reading until its queue overflows: it has fallen behind, not stopped (that takes 10 s)
      proxy.stall();
      const after = await until(
        () => detail(id),
        (d) => (d.output_destinations[1]?.skips ?? 0) > 0,
        "the slow destination's skips",
        9_000,
      );
      proxy.resume();
      expect(after.output_destinations[0]!.skips).toBe(0);
      expect(after.output_destinations[1]!.status).toBe("live");
      await sleep(2000);
      const resumed = await detail(id);
      expect(resumed.output_destinations.map((d) => d.status)).toEqual(["live", "live"]);
      expect(resumed.output_destinations[1]!.skips).toBeGreaterThanOrEqual(
        after.output_destinations[1]!.skips!,
      );
      await api("POST", `/v1/restreams/${id}/stop`);
    } finally {
      await proxy.close();
      await Promise.all([healthy.close(), slow.close()]);
    }
  }, 60_000);

  it("runs a recurring restream on its cron, each occurrence for its duration, until it is deleted", async () => {
    const receiver = startRtmpReceiver(await freeTcpPort(), join(dir, "recurring.flv"));
    // an occurrence lasts two seconds: one that comes before the receiver listens would leave it nothing
    await receiver.listening();
    const created = await api<RestreamWrittenResponse>(
      "POST",
      "/v1/restreams",
      fileRestream(receiver.url, {
        schedule_type: "recurring",
        // every third second, each occurrence two seconds long
        schedule_config: { cron: "*/3 * * * * *", duration_seconds: 2 },
      }),
    );
    expect(created.status).toBe(201);
    expect(created.body.status).toBe("stopped");
    const id = created.body.id;
    const runs = async () => {
      const events = await db.store.readStream(restreamStream.name(id));
      return {
        starts: events.filter((e) => e.type === "RestreamStarted"),
        stops: events.filter((e) => e.type === "RestreamStopped"),
      };
    };
    try {
      const seen = await until(
        runs,
        (r) => r.starts.length >= 2 && r.stops.length >= 1,
        "two occurrences",
        15_000,
      );
      for (const started of seen.starts) expect(started.data).toMatchObject({ trigger: "schedule" });
      expect(seen.stops[0]!.data).toMatchObject({ reason: "schedule_ended" });
      // each occurrence begins on its cron second, and the first ended before the second began
      const startedAt = seen.starts.map((e) => Date.parse(e.metadata.occurredAt as string));
      for (const at of startedAt) expect((at % 3000) / 1000).toBeLessThan(1.5);
      expect(startedAt[1]! - startedAt[0]!).toBeGreaterThanOrEqual(2500);
      const firstStop = Date.parse(seen.stops[0]!.metadata.occurredAt as string);
      expect(firstStop - startedAt[0]!).toBeGreaterThanOrEqual(1900);
      expect(firstStop).toBeLessThanOrEqual(startedAt[1]!);
    } finally {
      await receiver.close();
    }
    // the first occurrence really reached its destination
    const times = await videoPacketTimes(receiver.file);
    expect(times.length).toBeGreaterThan(10);

    const deleted = await fetch(`${kernel.url}/v1/restreams/${id}`, { method: "DELETE", headers });
    expect(deleted.status).toBe(204);
    await sleep(500);
    const after = (await runs()).starts.length;
    await sleep(4000);
    expect((await runs()).starts.length).toBe(after);
  }, 60_000);

  it("ends a recurring occurrence at its time when the kernel started again during it", async () => {
    const receiver = startRtmpReceiver(await freeTcpPort(), join(dir, "occurrence.flv"));
    await receiver.listening();
    const created = await api<RestreamWrittenResponse>(
      "POST",
      "/v1/restreams",
      fileRestream(receiver.url, {
        schedule_type: "recurring",
        // every tenth second, each occurrence five seconds long
        schedule_config: { cron: "*/10 * * * * *", duration_seconds: 5 },
      }),
    );
    const id = created.body.id;
    const events = () => db.store.readStream(restreamStream.name(id));
    try {
      const started = await until(
        events,
        (e) => e.some((event) => event.type === "RestreamStarted"),
        "an occurrence",
        15_000,
      ).then((e) => e.find((event) => event.type === "RestreamStarted")!);
      // the kernel goes away a second into the occurrence and comes back
      await sleep(1000);
      await kernel.stop();
      kernel = await start();
      const stopped = await until(
        events,
        (e) => e.some((event) => event.type === "RestreamStopped"),
        "the occurrence ended",
        15_000,
      ).then((e) => e.find((event) => event.type === "RestreamStopped")!);
      expect(stopped.data).toMatchObject({ runId: started.data.runId, reason: "schedule_ended" });
      const lasted =
        Date.parse(stopped.metadata.occurredAt as string) - Date.parse(started.metadata.occurredAt as string);
      expect(lasted).toBeGreaterThanOrEqual(4900);
      expect(lasted).toBeLessThan(7000);
    } finally {
      await fetch(`${kernel.url}/v1/restreams/${id}`, { method: "DELETE", headers });
      await receiver.close();
    }
  }, 60_000);

  it("resumes a restream that was on when the kernel starts again", async () => {
    const port = await freeTcpPort();
    let receiver: RtmpReceiver = startRtmpReceiver(port, join(dir, "before.flv"));
    const created = await api<RestreamWrittenResponse>("POST", "/v1/restreams", fileRestream(receiver.url));
    expect(created.body.status).toBe("streaming");
    const id = created.body.id;
    try {
      await until(
        () => detail(id),
        (d) => d.output_destinations?.[0]?.status === "live",
        "live",
        20_000,
      );
      await kernel.stop();
      await receiver.close();
      receiver = startRtmpReceiver(port, join(dir, "after.flv"));
      await receiver.listening();
      kernel = await start();
      const resumed = await until(
        () => detail(id),
        (d) =>
          d.output_destinations?.[0]?.status === "live" && d.output_destinations?.[0]?.bitrate_kbps !== null,
        "live again",
        20_000,
      );
      expect(resumed.status).toBe("streaming");
      // the receiver writes its file once it has probed what it receives: wait for the frames to land
      await until(
        () => videoPacketTimes(join(dir, "after.flv")).catch(() => []),
        (times) => times.length > 10,
        "frames at the receiver after the restart",
        15_000,
      );
      await api("POST", `/v1/restreams/${id}/stop`);
    } finally {
      await receiver.close();
    }
    expect((await videoPacketTimes(join(dir, "after.flv"))).length).toBeGreaterThan(10);
  }, 60_000);
});
