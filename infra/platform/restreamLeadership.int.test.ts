// Two kernels on one database, one restream, a real RTMP receiver behind a proxy that counts who
// connects: only the kernel holding the restream lock publishes (one publisher, not two), and when it
// stops, the other takes the lock and the destination gets a publisher again.
import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import { connect, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReadinessResponse } from "../../schemas/api/healthResponses.ts";
import type { RestreamDetail, RestreamWrittenResponse } from "../../schemas/api/restreamResponses.ts";
import { kernelApi, until } from "../../test/support/kernelApi.ts";
import { makeClip } from "../../test/support/mediaClip.ts";
import {
  freeTcpPort,
  type RtmpReceiver,
  startRtmpReceiver,
  videoPacketTimes,
} from "../../test/support/rtmpReceiver.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/testDatabase.ts";
import { createMemoryProgressBus } from "../progress/memoryProgressBus.ts";
import { createMemoryWorkQueue } from "../queue/memory/memoryWorkQueue.ts";
import { openDatabase, type PlatformDatabase } from "./openDatabase.ts";
import { loadConfig, type PlatformConfig } from "./platformConfig.ts";
import { type Kernel, startKernel } from "./startKernel.ts";

let database: TestDatabase;
let dir: string;
let config: PlatformConfig;
const kernels: { kernel: Kernel; db: PlatformDatabase; stopped: boolean }[] = [];
let headers: Record<string, string>;
let proxy: Server;
let proxyPort: number;
/** Where the proxy sends the next publisher: the receiver waiting now. */
let receiverPort: number;
let connections = 0;
/** Publishers connected now. */
let open = 0;
const receivers: RtmpReceiver[] = [];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// one bus for both kernels, as NATS is for kernels on several machines
const bus = createMemoryProgressBus();

const startOne = async () => {
  // one data folder for both: the kernels of one platform share the key that opens destination URLs
  const db = await openDatabase({ dataDir: config.dataDir, databaseUrl: database.url });
  const kernel = await startKernel(config, db, createMemoryWorkQueue(), bus, () => {});
  kernels.push({ kernel, db, stopped: false });
  return kernel;
};

const restreamRole = async (kernel: Kernel) => {
  const ready = (await (await fetch(`${kernel.url}/ready`)).json()) as ReadinessResponse;
  const detail = ready.checks.restreams?.detail as { state?: string } | undefined;
  return detail?.state;
};

/** A receiver on a fresh port, given a moment to listen before a publisher is sent its way. */
const nextReceiver = async (name: string) => {
  const port = await freeTcpPort();
  const receiver = startRtmpReceiver(port, join(dir, `${name}.flv`));
  receivers.push(receiver);
  await sleep(1000);
  receiverPort = port;
  return receiver;
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-restream-lead-"));
  await chmod(dir, 0o755);
  const mediaDir = join(dir, "media");
  await mkdir(mediaDir);
  await makeClip(join(mediaDir, "loop.mp4"), { seconds: 2, width: 160, height: 120 });
  database = await createTestDatabase("restream_lead");
  config = loadConfig({ port: "0", data: join(dir, "data"), "media-dir": mediaDir }, {});
  proxy = createServer((socket) => {
    connections += 1;
    open += 1;
    socket.once("close", () => {
      open -= 1;
    });
    const upstream = connect(receiverPort, "127.0.0.1");
    socket.pipe(upstream).pipe(socket);
    upstream.on("error", () => socket.destroy());
    socket.on("error", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", () => resolve()));
  const address = proxy.address();
  proxyPort = typeof address === "object" && address !== null ? address.port : 0;
  // one after the other: the first migrates the read models
  await startOne();
  await startOne();
  const system = { userId: "system", role: "system" } as const;
  const operator = await kernels[0]!.kernel.tokens.issue({ name: "operator", role: "operator" }, system);
  if (operator._tag !== "Issued") throw new Error("no token");
  headers = { authorization: `Bearer ${operator.token}`, "content-type": "application/json" };
}, 60_000);

afterAll(async () => {
  for (const k of kernels) {
    if (!k.stopped) await k.kernel.stop();
    await k.db.close();
  }
  for (const receiver of receivers) await receiver.close();
  await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

/**
 * Publishers the proxy has seen become `count`, and stay so while a second one would have come; one is
 * connected (an earlier one left).
 */
const publishersReach = async (count: number) => {
  await until(
    async () => connections,
    (seen) => seen >= count,
    `publisher ${count}`,
    10_000,
  );
  await sleep(3000);
  expect(connections).toBe(count);
  expect(open).toBe(1);
};

describe("restreams with two kernels on one database", () => {
  it("are pushed by the kernel holding the lock only; another takes over when it loses it or stops", async () => {
    const first = await nextReceiver("first");
    const [a, b] = kernels;
    const roles = await Promise.all([restreamRole(a!.kernel), restreamRole(b!.kernel)]);
    expect([...roles].sort()).toEqual(["leading", "standby"]);
    const leaderNow = async () => ((await restreamRole(a!.kernel)) === "leading" ? a! : b!);

    const api = kernelApi(
      () => kernels.find((k) => !k.stopped)!.kernel.url,
      () => headers,
    );
    const created = await api<RestreamWrittenResponse>("POST", "/v1/restreams", {
      title: "Two kernels",
      input_type: "file",
      input_url: "fs://loop.mp4",
      loop_enabled: true,
      output_destinations: [
        { platform: "custom", url: `rtmp://127.0.0.1:${proxyPort}/live/stream-key-0001` },
      ],
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const destination = () => api<RestreamDetail>("GET", `/v1/restreams/${id}`).then((r) => r.body);
    await until(destination, (d) => d.output_destinations?.[0]?.status === "live", "live", 15_000);
    // both kernels followed the log's RestreamStarted by now: a second publisher would be here
    await publishersReach(1);
    expect(first.process.exitCode).toBeNull();
    // the kernel standing by answers with the figures the leading one sends on the bus
    const standby = (await restreamRole(a!.kernel)) === "standby" ? a! : b!;
    const standbyApi = kernelApi(
      () => standby.kernel.url,
      () => headers,
    );
    const seenByStandby = await until(
      () => standbyApi<RestreamDetail>("GET", `/v1/restreams/${id}`).then((r) => r.body),
      (d) => (d.output_destinations?.[0]?.bitrate_kbps ?? 0) > 0,
      "the standby's figures",
      5_000,
    );
    expect(seenByStandby.output_destinations[0]!.uptime_seconds).toBeGreaterThanOrEqual(1);
    expect(seenByStandby.output_destinations[0]!.skips).toBe(0);

    // the leader's lock connection dies, as with a crashed process or a cut network: it stops
    // publishing, and one kernel (the other, or itself once reconnected) publishes again
    await nextReceiver("second");
    const schema = a!.db.readModelSchema;
    const terminated = await a!.db.pool.query(
      `select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory' and granted
         and objid = (hashtext($1)::bigint & 4294967295)::oid
         and database = (select oid from pg_database where datname = current_database())`,
      [`webencode-restreams:${schema}`],
    );
    expect(terminated.rowCount).toBe(1);
    await publishersReach(2);
    expect((await Promise.all([restreamRole(a!.kernel), restreamRole(b!.kernel)])).sort()).toEqual([
      "leading",
      "standby",
    ]);

    // the leader stops: the other takes the lock within seconds and publishes
    const third = await nextReceiver("third");
    const leading = await leaderNow();
    const standing = leading === a ? b! : a!;
    leading.stopped = true;
    await leading.kernel.stop();
    await until(
      () => restreamRole(standing.kernel),
      (role) => role === "leading",
      "the other kernel leads",
      5_000,
    );
    await publishersReach(3);
    expect((await destination()).output_destinations?.[0]?.status).toBe("live");
    await api("POST", `/v1/restreams/${id}/stop`);
    await third.close();
    expect((await videoPacketTimes(join(dir, "third.flv"))).length).toBeGreaterThan(10);
  }, 60_000);
});
