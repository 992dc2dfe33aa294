// Live ingest in distributed mode: two `webencode kernel` processes on one PostgreSQL and NATS, both with
// WEBENCODE_LIVE_INGEST=on, each on an RTMP port of its own. Only the kernel holding the restream lock
// takes publishers (the other's /ready says it stands by); an OBS-like ffmpeg goes live through it; when it is
// killed with -9 the other takes the lock, listens, hands out its own ingest URL, and the same stream key
// goes live through it, and a restream of it, pushed by the same kernel, reaches its destination.
import { randomBytes } from "node:crypto";
import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReadinessResponse } from "../../schemas/api/healthResponses.ts";
import type { RestreamDetail } from "../../schemas/api/restreamResponses.ts";
import type { StreamDetail, StreamKeyResponse } from "../../schemas/api/streamResponses.ts";
import { kernelApi, until } from "../support/kernelApi.ts";
import { startNatsServer, type TestNatsServer } from "../support/natsServer.ts";
import { type PlatformProcess, startPlatform } from "../support/platformProcess.ts";
import { publishTestStream, type TestPublisher } from "../support/publishTestStream.ts";
import { freeTcpPort, startRtmpReceiver, videoPacketTimes } from "../support/rtmpReceiver.ts";
import { createTestDatabase, type TestDatabase } from "../support/testDatabase.ts";

let dir: string;
let database: TestDatabase;
let nats: TestNatsServer;
const processes: PlatformProcess[] = [];
const publishers: TestPublisher[] = [];
const natsPrefix = `we${randomBytes(4).toString("hex")}`;
const adminToken = `we-live-${randomBytes(16).toString("hex")}`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-live-kernels-"));
  await chmod(dir, 0o755);
  await mkdir(join(dir, "media"));
  database = await createTestDatabase("live_kernels");
  nats = await startNatsServer();
});

afterAll(async () => {
  for (const publisher of publishers) publisher.child.kill("SIGKILL");
  await Promise.all(processes.map((p) => p.kill("SIGKILL")));
  await nats?.stop();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

async function startKernel(name: string, rtmpPort: number): Promise<PlatformProcess> {
  const env = {
    DATABASE_URL: database.url,
    NATS_URL: nats.url,
    WEBENCODE_NATS_PREFIX: natsPrefix,
    WEBENCODE_ADMIN_TOKEN: adminToken,
    WEBENCODE_SECRET: "shared-by-every-kernel-of-this-installation",
    WEBENCODE_LIVE_INGEST: "on",
    WEBENCODE_RTMP_PORT: String(rtmpPort),
    WEBENCODE_SRT_PORT: "off",
  };
  const started = await startPlatform(join(dir, name), join(dir, "media"), env, {
    mode: "kernel",
    args: ["--storage-dir", join(dir, "storage")],
  });
  processes.push(started);
  return started;
}

const liveIngestOf = async (kernel: PlatformProcess) => {
  const ready = (await (await fetch(`${kernel.url}/ready`)).json()) as ReadinessResponse;
  return ready.checks.live_ingest?.detail as
    | { status: string; listening?: Record<string, string> }
    | undefined;
};

const headers = { authorization: `Bearer ${adminToken}`, "content-type": "application/json" };
const api = <T>(kernel: PlatformProcess, method: string, path: string, body?: unknown) =>
  kernelApi(
    () => kernel.url,
    () => headers,
  )<T>(method, path, body);

const statusOf = async (kernel: PlatformProcess, id: string) =>
  (await api<StreamDetail>(kernel, "GET", `/v1/streams/${id}`)).body.status;

describe("live ingest on kernels", () => {
  it("is taken by the kernel holding the restream lock, and by the other once that one is killed", async () => {
    const [portA, portB] = [await freeTcpPort(), await freeTcpPort()];
    const a = await startKernel("kernel-a", portA);
    await until(
      () => liveIngestOf(a),
      (live) => live?.status === "listening",
      "kernel A listening",
      30_000,
    );
    const b = await startKernel("kernel-b", portB);
    expect(await liveIngestOf(b)).toEqual({ status: "standby" });

    const created = await api<StreamKeyResponse>(a, "POST", "/v1/streams", { title: "Harbour cam" });
    expect(created.status).toBe(201);
    expect(created.body.ingest_url).toBe(`rtmp://127.0.0.1:${portA}/live`);
    const key = created.body.stream_key;
    publishers.push(publishTestStream(`rtmp://127.0.0.1:${portA}/live/${key}`, 60));
    await until(
      () => statusOf(a, created.body.id),
      (status) => status === "live",
      "live through kernel A",
      30_000,
    );

    await a.kill("SIGKILL");
    publishers[0]!.child.kill("SIGKILL");
    await until(
      () => liveIngestOf(b),
      (live) => live?.status === "listening",
      "kernel B listening",
      30_000,
    );
    const handedOut = await api<{ ingest_url: string | null }>(b, "GET", `/v1/streams/${created.body.id}`);
    expect(handedOut.body.ingest_url).toBe(`rtmp://127.0.0.1:${portB}/live`);
    // the publisher (OBS, or a load balancer in front of the kernels) reconnects to B with the same key
    publishers.push(publishTestStream(`rtmp://127.0.0.1:${portB}/live/${key}`, 60));
    const again = await until(
      () => api<StreamDetail>(b, "GET", `/v1/streams/${created.body.id}`).then((r) => r.body),
      (detail) => detail.status === "live" && detail.current_session?.status === "live",
      "live through kernel B",
      45_000,
    );
    expect(again.current_session?.protocol).toBe("rtmp");

    // the kernel that takes the publishers pushes the restreams too: a restream of the stream reads it there
    const receiver = startRtmpReceiver(await freeTcpPort(), join(dir, "restreamed.flv"));
    await receiver.listening();
    try {
      const restream = await api<{ id: string }>(b, "POST", "/v1/restreams", {
        title: "Harbour cam elsewhere",
        input_type: "rtmp",
        stream_id: created.body.id,
        output_destinations: [{ platform: "custom", url: receiver.url }],
      });
      expect(restream.status).toBe(201);
      await until(
        () => api<RestreamDetail>(b, "GET", `/v1/restreams/${restream.body.id}`).then((r) => r.body),
        (detail) =>
          detail.output_destinations?.[0]?.status === "live" &&
          (detail.output_destinations[0].bitrate_kbps ?? 0) > 0,
        "the restream live at its destination, sending",
        30_000,
      );
      // a couple of seconds of media at the destination, then the run stops
      await new Promise((resolve) => setTimeout(resolve, 2000));
      await api(b, "POST", `/v1/restreams/${restream.body.id}/stop`);
    } finally {
      await receiver.close();
    }
    expect((await videoPacketTimes(receiver.file)).length).toBeGreaterThan(10);
  }, 180_000);
});
