// The cost of idle event-feed clients on one `webencode up`: N SSE clients (1,000, then 5,000) held by
// a child process, measuring the server's RSS per client, database transactions per second while
// everyone idles (against the same with no client), event → client latency with all connected (at a
// steady pace like a few running jobs', tens of events a second, and for a burst of submissions), the
// CPU per event of server and clients, and the CPU the progress ticks of a few encoding jobs cost.
// Usage: npm run bench -- feed [N…]  (default 1000 5000; the last line carries the largest N)
import { type ChildProcess, fork } from "node:child_process";
import { randomUUID } from "node:crypto";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { Socket } from "node:net";
import os, { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import v8 from "node:v8";
import vm from "node:vm";
import type pg from "pg";
import { openDatabase } from "../infra/platform/openDatabase.ts";
import { loadConfig } from "../infra/platform/platformConfig.ts";
import { startKernel } from "../infra/platform/startKernel.ts";
import { createMemoryProgressBus } from "../infra/progress/memoryProgressBus.ts";
import { createMemoryWorkQueue } from "../infra/queue/memory/memoryWorkQueue.ts";
import { percentile, round } from "./benchDatabase.ts";

const IDLE_WINDOW_MS = 10_000;
const SETTLE_MS = 3_000;
// each bench job emits two events (JobSubmitted, then JobFailed at planning): 10 jobs a second is about
// 20 events a second, what `webencode up` emits with a few jobs encoding
const PACED_JOBS = 40;
const PACED_INTERVAL_MS = 100;
const BURST_JOBS = 20;
// while jobs encode, each task's progress ticks (ffmpeg reports several a second) reach every client
const ENCODING_JOBS = 3;
const TICK_INTERVAL_MS = 100;
const ENCODING_MS = 5_000;
const DELIVERY_WAIT_MS = 3_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const now = () => performance.timeOrigin + performance.now();

// a collected heap before each sample, so that garbage waiting for the collector is not counted
v8.setFlagsFromString("--expose-gc");
const collectGarbage = vm.runInNewContext("gc") as () => void;
const rssKiB = () => {
  collectGarbage();
  collectGarbage();
  return process.memoryUsage.rss() / 1024;
};

// The server's socket writes, each one write(2) or writev(2) call: Node's sockets all write through
// this one internal method, wrapped here to count how many writes an event costs.
let socketWrites = 0;
const sockets = Socket.prototype as unknown as { _writeGeneric: (...args: unknown[]) => unknown };
const writeGeneric = sockets._writeGeneric;
sockets._writeGeneric = function (this: Socket, ...args: unknown[]) {
  socketWrites++;
  return writeGeneric.apply(this, args);
};

/** Transactions committed in the platform's database per second over the window. */
async function transactionsPerSecond(pool: pg.Pool): Promise<number> {
  const commits = async () => {
    const { rows } = await pool.query<{ commits: string }>(
      "select xact_commit as commits from pg_stat_database where datname = current_database()",
    );
    return Number(rows[0]!.commits);
  };
  const before = await commits();
  await sleep(IDLE_WINDOW_MS);
  // minus the reading transaction of the first sample
  return (await commits()) - before - 1;
}

/** Submits a job on a connection of its own (a reused idle one may be closed under a loaded server). */
function submitJob(url: string, token: string): Promise<string> {
  const body = JSON.stringify({ source_url: "fs://clip.mp4", profile: "720p_h264" });
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/v1/jobs`,
      {
        method: "POST",
        agent: false,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          text += chunk;
        });
        response.on("end", () => resolve((JSON.parse(text) as { id: string }).id));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

interface Clients {
  child: ChildProcess;
  ask<T>(command: object, answer: string): Promise<T>;
}

function startClients(): Clients {
  const child = fork(fileURLToPath(new URL("./support/sseClients.ts", import.meta.url)), {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return {
    child,
    ask: (command, answer) =>
      new Promise((resolve, reject) => {
        const onMessage = (message: { type: string; message?: string }) => {
          if (message.type === answer) {
            child.off("message", onMessage);
            resolve(message as never);
          } else if (message.type === "failed") {
            child.off("message", onMessage);
            reject(new Error(message.message));
          }
        };
        child.on("message", onMessage);
        child.send(command);
      }),
  };
}

export async function run(args: string[]): Promise<number> {
  const sizes = args.length > 0 ? args.map(Number) : [1000, 5000];
  const dir = await mkdtemp(join(tmpdir(), "webencode-bench-feed-"));
  await chmod(dir, 0o755);
  const media = join(dir, "media");
  await mkdir(media);
  // not a video: each job fails at planning, its JobSubmitted is the event measured
  await writeFile(join(media, "clip.mp4"), "bench");
  const largest = String(Math.max(...sizes) + 100);
  const config = loadConfig(
    { port: "0", data: join(dir, "data"), "media-dir": media },
    { WEBENCODE_FEED_MAX_CLIENTS: largest, WEBENCODE_FEED_MAX_CLIENTS_PER_TOKEN: largest },
  );
  const db = await openDatabase({ dataDir: config.dataDir });
  const queue = createMemoryWorkQueue();
  const bus = createMemoryProgressBus();
  const kernel = await startKernel(config, db, queue, bus, () => {});
  const clients = startClients();
  try {
    const system = { userId: "system", role: "system" } as const;
    const viewer = await kernel.tokens.issue({ name: "bench-viewer", role: "viewer" }, system);
    const operator = await kernel.tokens.issue({ name: "bench-operator", role: "operator" }, system);
    if (viewer._tag !== "Issued" || operator._tag !== "Issued") throw new Error("could not issue tokens");

    await sleep(SETTLE_MS);
    const idleRss = rssKiB();
    const idleBaseline = (await transactionsPerSecond(db.pool)) / (IDLE_WINDOW_MS / 1000);
    console.log(`feed on webencode up, ${os.cpus().length} cores, Node ${process.version}`);
    console.log(
      `  no client:     RSS ${round(idleRss / 1024)} MiB, ${round(idleBaseline, 1)} database transactions/s idle`,
    );

    /** Submits jobs, then reads when each client received each JobSubmitted and what that cost. */
    async function measureDeliveries(size: number, submit: () => Promise<Map<string, number>>) {
      const before = await clients.ask<{ cpuMs: number }>({ type: "arrivals" }, "arrivals");
      const serverCpu = process.cpuUsage();
      const writesBefore = socketWrites;
      const head = await db.store.headPosition();
      const started = performance.now();
      const submittedAt = await submit();
      const submitS = (performance.now() - started) / 1000;
      await sleep(DELIVERY_WAIT_MS);
      // the jobs' later events included: they were fanned out in the window too
      const events = (await db.store.headPosition()) - head;
      const after = await clients.ask<{ arrivals: Record<string, number[]>; cpuMs: number }>(
        { type: "arrivals" },
        "arrivals",
      );
      const { user, system } = process.cpuUsage(serverCpu);
      const writes = socketWrites - writesBefore;
      // from the event (its occurredAt, stamped as the command appended it) and from the submission,
      // which adds the time the request waited for a busy server
      const latencies: number[] = [];
      const sinceSubmit: number[] = [];
      let missing = 0;
      for (const [jobId, submitted] of submittedAt) {
        const [submittedEvent] = await db.store.readStream(`job-${jobId}`, { maxCount: 1 });
        const occurred = Date.parse(String(submittedEvent?.metadata.occurredAt));
        const times = after.arrivals[jobId] ?? [];
        missing += size - times.length;
        for (const time of times) {
          latencies.push(time - occurred);
          sinceSubmit.push(time - submitted);
        }
      }
      latencies.sort((a, b) => a - b);
      sinceSubmit.sort((a, b) => a - b);
      return {
        events,
        eventsPerSecond: round(events / submitS, 1),
        deliveries: latencies.length,
        missing,
        p50: round(percentile(latencies, 50), 1),
        p99: round(percentile(latencies, 99), 1),
        submitP99: round(percentile(sinceSubmit, 99), 1),
        serverCpuMsPerEvent: round((user + system) / 1000 / Math.max(events, 1), 1),
        socketWritesPerEvent: round(writes / Math.max(events, 1)),
        clientCpuMsPerEvent: round((after.cpuMs - before.cpuMs) / Math.max(events, 1), 1),
      };
    }

    /** Publishes the ticks of a few encoding jobs; the share of a core server and clients spend. */
    async function measureEncoding() {
      const before = await clients.ask<{ cpuMs: number }>({ type: "arrivals" }, "arrivals");
      const serverCpu = process.cpuUsage();
      const started = performance.now();
      const jobIds = Array.from({ length: ENCODING_JOBS }, () => randomUUID());
      for (let n = 0; performance.now() - started < ENCODING_MS; n++) {
        for (const jobId of jobIds) {
          bus.publish({
            jobId,
            taskId: jobId,
            attempt: 1,
            workerId: "bench",
            pct: n % 100,
            outTimeSec: n / 10,
            fps: 30,
            speed: 1,
            etaSeconds: 60,
            at: new Date().toISOString(),
          });
        }
        await sleep(TICK_INTERVAL_MS);
      }
      const elapsedMs = performance.now() - started;
      const { user, system } = process.cpuUsage(serverCpu);
      const after = await clients.ask<{ cpuMs: number }>({ type: "arrivals" }, "arrivals");
      return {
        serverCpuPercent: round(((user + system) / 1000 / elapsedMs) * 100, 1),
        clientCpuPercent: round(((after.cpuMs - before.cpuMs) / elapsedMs) * 100, 1),
      };
    }

    const results = [];
    let connected = 0;
    for (const size of sizes) {
      const started = performance.now();
      await clients.ask(
        { type: "connect", url: kernel.url, token: viewer.token, count: size - connected },
        "connected",
      );
      connected = size;
      const connectS = (performance.now() - started) / 1000;
      await sleep(SETTLE_MS);
      const rss = rssKiB();
      const idle = (await transactionsPerSecond(db.pool)) / (IDLE_WINDOW_MS / 1000);

      // submitted on a fixed schedule, not each after the last one's answer: a loaded server gets the
      // same pace, as it would from its users
      const paced = await measureDeliveries(size, async () => {
        const submissions = [];
        for (let n = 0; n < PACED_JOBS; n++) {
          const at = now();
          submissions.push(submitJob(kernel.url, operator.token).then((id) => [id, at] as const));
          await sleep(PACED_INTERVAL_MS);
        }
        return new Map(await Promise.all(submissions));
      });
      const burst = await measureDeliveries(size, async () => {
        const at = now();
        const ids = await Promise.all(
          Array.from({ length: BURST_JOBS }, () => submitJob(kernel.url, operator.token)),
        );
        return new Map(ids.map((id) => [id, at]));
      });
      const encoding = await measureEncoding();
      const figures = {
        clients: size,
        rss_per_client_kib: round((rss - idleRss) / size, 1),
        idle_db_queries_per_s: round(idle, 1),
        idle_db_queries_per_s_no_clients: round(idleBaseline, 1),
        events_per_s: paced.eventsPerSecond,
        event_to_client_p50_ms: paced.p50,
        event_to_client_p99_ms: paced.p99,
        submit_to_client_p99_ms: paced.submitP99,
        server_cpu_ms_per_event: paced.serverCpuMsPerEvent,
        client_cpu_ms_per_event: paced.clientCpuMsPerEvent,
        socket_writes_per_event: paced.socketWritesPerEvent,
        burst_jobs: BURST_JOBS,
        burst_events: burst.events,
        burst_p50_ms: burst.p50,
        burst_p99_ms: burst.p99,
        burst_submit_to_client_p99_ms: burst.submitP99,
        encoding_jobs: ENCODING_JOBS,
        encoding_server_cpu_percent: encoding.serverCpuPercent,
        encoding_client_cpu_percent: encoding.clientCpuPercent,
        deliveries_missing: paced.missing + burst.missing,
        connect_s: round(connectS, 1),
        rss_mib: round(rss / 1024),
        load_average_1m: round(os.loadavg()[0]!, 1),
      };
      results.push(figures);
      console.log(
        `  ${String(size).padStart(5)} clients: RSS ${figures.rss_mib} MiB (${figures.rss_per_client_kib} KiB per client over the idle server), ` +
          `${figures.idle_db_queries_per_s} database transactions/s idle (${round(idle / Math.max(idleBaseline, 0.1), 2)}× no client); ` +
          `connected in ${figures.connect_s} s\n` +
          `    at ${figures.events_per_s} events/s: event → client p50 ${figures.event_to_client_p50_ms} ms, p99 ${figures.event_to_client_p99_ms} ms ` +
          `over ${paced.deliveries} deliveries (p99 ${figures.submit_to_client_p99_ms} ms from submission); CPU per event ${figures.server_cpu_ms_per_event} ms server, ${figures.client_cpu_ms_per_event} ms clients, ` +
          `${figures.socket_writes_per_event} socket writes\n` +
          `    burst of ${BURST_JOBS} jobs at once (${burst.events} events): p50 ${figures.burst_p50_ms} ms, p99 ${figures.burst_p99_ms} ms (${figures.burst_submit_to_client_p99_ms} ms from submission)` +
          `${figures.deliveries_missing > 0 ? `; ${figures.deliveries_missing} deliveries missing` : ""}\n` +
          `    ${ENCODING_JOBS} jobs encoding (their progress ticks): ${figures.encoding_server_cpu_percent}% of a core server, ` +
          `${figures.encoding_client_cpu_percent}% clients; load average ${figures.load_average_1m}`,
      );
      console.log(JSON.stringify(figures));
    }
    return results.every((figures) => figures.deliveries_missing === 0) ? 0 : 1;
  } finally {
    clients.child.send({ type: "close" });
    await kernel.stop();
    await queue.close();
    await bus.close();
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}
