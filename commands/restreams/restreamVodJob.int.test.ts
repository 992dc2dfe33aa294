// A finished VOD job's output as a restream's input (`input_type: vod_job`), through the real platform
// (kernel, encode worker, ffmpeg, Postgres): the job's final output reaches a real RTMP receiver.
import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type PlatformDatabase } from "../../infra/platform/openDatabase.ts";
import { loadConfig } from "../../infra/platform/platformConfig.ts";
import { type Kernel, startKernel } from "../../infra/platform/startKernel.ts";
import { startWorkers } from "../../infra/platform/startWorkers.ts";
import { createMemoryProgressBus } from "../../infra/progress/memoryProgressBus.ts";
import { createMemoryWorkQueue } from "../../infra/queue/memory/memoryWorkQueue.ts";
import type { RestreamDetail, RestreamWrittenResponse } from "../../schemas/api/restreamResponses.ts";
import { kernelApi, until } from "../../test/support/kernelApi.ts";
import { makeClip } from "../../test/support/mediaClip.ts";
import { freeTcpPort, startRtmpReceiver, videoPacketTimes } from "../../test/support/rtmpReceiver.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/testDatabase.ts";
import type { EncodeWorker } from "../../workers/encode/encodeWorker.ts";

let database: TestDatabase;
let db: PlatformDatabase;
let kernel: Kernel;
let workers: EncodeWorker[] = [];
let dir: string;
let headers: Record<string, string>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-restream-vod-"));
  await chmod(dir, 0o755);
  const mediaDir = join(dir, "media");
  await mkdir(mediaDir);
  await makeClip(join(mediaDir, "clip.mp4"), { seconds: 3, width: 160, height: 120 });
  database = await createTestDatabase("restream_vod_job");
  const config = loadConfig({ port: "0", data: join(dir, "data"), "media-dir": mediaDir }, {});
  db = await openDatabase({ dataDir: config.dataDir, databaseUrl: database.url });
  const queue = createMemoryWorkQueue();
  const bus = createMemoryProgressBus();
  kernel = await startKernel(config, db, queue, bus, () => {});
  workers = await startWorkers(config, db.store, queue, bus, () => {});
  const issued = await kernel.tokens.issue(
    { name: "op", role: "operator" },
    { userId: "system", role: "system" },
  );
  if (issued._tag !== "Issued") throw new Error(issued._tag);
  headers = { authorization: `Bearer ${issued.token}`, "content-type": "application/json" };
}, 60_000);
afterAll(async () => {
  for (const worker of workers) await worker.stop();
  await kernel?.stop();
  await db?.close();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

const api = kernelApi(
  () => kernel.url,
  () => headers,
);

describe("a restream of a VOD job's output", () => {
  it("plays the job's final output to a real RTMP receiver", async () => {
    const submitted = await api<{ id: string }>("POST", "/v1/jobs", {
      source_url: "fs://clip.mp4",
      profile: "480p_fast",
    });
    expect(submitted.status).toBe(201);
    const jobId = submitted.body.id;
    await until(
      () => api<{ status: string }>("GET", `/v1/jobs/${jobId}`).then((a) => a.body.status),
      (status) => status === "completed",
      "job completed",
      60_000,
    );
    const receiver = startRtmpReceiver(await freeTcpPort(), join(dir, "vod.flv"));
    try {
      const created = await api<RestreamWrittenResponse>("POST", "/v1/restreams", {
        title: "Replay",
        input_type: "vod_job",
        job_id: jobId,
        output_destinations: [{ platform: "custom", url: receiver.url }],
      });
      expect(created.status).toBe(201);
      const id = created.body.id;
      await until(
        () => api<RestreamDetail>("GET", `/v1/restreams/${id}`).then((a) => a.body),
        (d) => d.output_destinations?.[0]?.status === "live",
        "destination live",
        20_000,
      );
      // the 3 s output, paced as live, runs to its end and the run stops by itself
      const ended = await until(
        () => api<RestreamDetail>("GET", `/v1/restreams/${id}`).then((a) => a.body),
        (d) => d.status === "stopped",
        "run ended with its input",
        20_000,
      );
      expect(ended.status).toBe("stopped");
    } finally {
      await receiver.close();
    }
    // what the destination got: the output from a keyframe on; the part played while it was connecting
    // is not sent (a live stream's behaviour, which a short file shows: about a second of 3 s arrives)
    const times = await videoPacketTimes(receiver.file);
    expect(times.length).toBeGreaterThan(10);
    expect(times.at(-1)! - times[0]!).toBeGreaterThan(0.5);
  }, 120_000);
});
