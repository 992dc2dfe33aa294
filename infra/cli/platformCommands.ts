// `webencode up` (everything in one process, embedded), `webencode kernel` and `webencode worker`
// (distributed: server PostgreSQL and NATS JetStream, any number of each).
import type { ProgressBus } from "../../domain/ports/progressBus.ts";
import type { WorkQueue } from "../../domain/ports/workQueue.ts";
import type { EncodeWorker } from "../../workers/encode/encodeWorker.ts";
import { defaultIngestUrls } from "../platform/defaultIngestUrls.ts";
import { openDatabase, type PlatformDatabase } from "../platform/openDatabase.ts";
import {
  type ConfigFlags,
  loadConfig,
  type PlatformMode as Mode,
  type PlatformConfig,
} from "../platform/platformConfig.ts";
import { redispatchUnfinishedTasks } from "../platform/redispatchUnfinishedTasks.ts";
import { retireWorkersOfEarlierRuns } from "../platform/retireWorkersOfEarlierRuns.ts";
import { type Kernel, startKernel } from "../platform/startKernel.ts";
import { type LiveIngest, liveIngestReadiness, startLive } from "../platform/startLive.ts";
import { startWorkers } from "../platform/startWorkers.ts";
import { watchProcessFaults } from "../platform/watchProcessFaults.ts";
import { createMemoryProgressBus } from "../progress/memoryProgressBus.ts";
import { openNatsProgressBus } from "../progress/natsProgressBus.ts";
import { createMemoryWorkQueue } from "../queue/memory/memoryWorkQueue.ts";
import { openNatsWorkQueue } from "../queue/nats/natsWorkQueue.ts";

const log = (message: string) => console.error(`[webencode] ${message}`);

async function openTransport(
  mode: Mode,
  config: PlatformConfig,
): Promise<{ queue: WorkQueue; progressBus: ProgressBus }> {
  const onError = (e: unknown) => log(`progress: ${(e as Error).message}`);
  if (mode === "up" && !config.natsUrl) {
    return {
      queue: createMemoryWorkQueue({ ackWaitMs: config.ackWaitMs }),
      progressBus: createMemoryProgressBus({ onError }),
    };
  }
  if (!config.natsUrl) throw new Error(`webencode ${mode} needs NATS_URL (nats://host:4222)`);
  const prefix = config.natsPrefix;
  const queue = await openNatsWorkQueue({
    servers: config.natsUrl,
    stream: `${prefix.replace(/[^A-Za-z0-9_-]/g, "_").toUpperCase()}_TASKS`,
    subject: `${prefix}.tasks`,
    durable: `${prefix}-encoders`,
    ackWaitMs: config.ackWaitMs,
    name: `webencode-${mode}`,
  });
  const progressBus = await openNatsProgressBus({
    servers: config.natsUrl,
    subjectPrefix: `${prefix}.progress`,
    onError,
  });
  return { queue, progressBus };
}

async function untilSignal(): Promise<void> {
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
}

export async function platformCommand(mode: Mode, flags: ConfigFlags): Promise<number> {
  const config = loadConfig(flags, process.env, mode);
  // uploads, encodes (ffmpeg inherits it) and outputs are for this user only; links share outputs
  process.umask(0o077);
  if (mode !== "up" && !config.databaseUrl && !config.eventStoreUrl) {
    throw new Error(`webencode ${mode} needs DATABASE_URL (postgres://…) and optionally EVENT_STORE_URL`);
  }
  const faults = watchProcessFaults(log);
  let db: PlatformDatabase | undefined;
  let transport: { queue: WorkQueue; progressBus: ProgressBus } | undefined;
  let kernel: Kernel | undefined;
  let workers: EncodeWorker[] = [];
  let live: LiveIngest | undefined;
  // resolved once the kernel has started, or with nothing when the process stops before that
  let kernelStarted: (started: Kernel | undefined) => void = () => {};
  // the stream API shows the ingest's own addresses once it listens (its ports may be chosen then)
  const usualIngestUrls = defaultIngestUrls(config.live.publicHost, {
    rtmp: config.live.rtmpPort,
    srt: config.live.srtPort ?? 10080,
  });
  let ingestUrls = usualIngestUrls;
  const start = async () => {
    db = await openDatabase({
      dataDir: config.dataDir,
      databaseUrl: config.databaseUrl,
      eventStoreUrl: config.eventStoreUrl,
      log,
    });
    transport = await openTransport(mode, config);
    const { queue, progressBus } = transport;
    const processCheck = async () => ({ ok: true, detail: { ...faults.counts() } });
    const listening = liveIngestReadiness(() => live);
    // a kernel standing by for the restream lock is ready: the kernel that holds it takes the publishers
    const liveIngestCheck = async () =>
      mode === "kernel" && kernel?.restreamRole() !== "leading"
        ? { ok: true, detail: { status: "standby" } }
        : listening();
    // A kernel's live ingest runs with the restreams, on the kernel of all that holds their lock: two would
    // record each stream twice, and a restream of one of our streams reads it in the same process. The
    // lock may be taken while the kernel still starts: the ingest waits for it.
    const startedKernel = new Promise<Kernel | undefined>((resolve) => {
      kernelStarted = resolve;
    });
    const kernelLiveIngest = () => {
      const started = startedKernel
        .then((running) => (running === undefined ? undefined : startLive(config, liveDependencies(running))))
        .then(
          (ingest) => {
            if (ingest === undefined) return undefined;
            live = ingest;
            ingestUrls = ingest.ingestUrls;
            if (Object.keys(ingest.urls).length > 0)
              log(`live ingest at ${Object.values(ingest.urls).join(" and ")}`);
            return ingest;
          },
          (error: Error) => {
            log(`error: live ingest did not start: ${error.message}`);
            return undefined;
          },
        );
      return {
        async stop() {
          const ingest = await started;
          if (ingest !== undefined && live === ingest) {
            live = undefined;
            ingestUrls = usualIngestUrls;
          }
          await ingest?.stop();
        },
      };
    };
    const liveDependencies = (running: Kernel) => ({
      store: db!.store,
      sessions: running.liveSessions,
      storage: running.jobStorage,
      publishTelemetry: (tick: Parameters<ProgressBus["publishTelemetry"]>[0]) =>
        progressBus.publishTelemetry(tick),
      viewersOf: (streamId: string) => running.previewAudience.count(streamId),
      log,
    });
    if (mode !== "worker")
      kernel = await startKernel(
        config,
        db,
        queue,
        progressBus,
        log,
        { process: processCheck, ...(config.live.ingest ? { live_ingest: liveIngestCheck } : {}) },
        {
          ingestUrls: (streamKey) => ingestUrls(streamKey),
          // restreams of our own streams read them where this process's live ingest serves them
          liveReader: { readUrl: async (streamId) => live?.host.readUrlOf(streamId) ?? null },
          ...(mode === "kernel" && config.live.ingest ? { whileLeadingRestreams: kernelLiveIngest } : {}),
        },
      );
    const embedded = kernel && mode === "up" && !config.natsUrl;
    const caughtUp = async () => {
      const head = await db!.store.headPosition();
      const runners = kernel!.projectors;
      return (await Promise.all(runners.map((r) => r.waitForPosition(head, 30_000)))).every(Boolean);
    };
    if (embedded && (await caughtUp())) {
      const retired = await retireWorkersOfEarlierRuns(db.store, db.pool, db.readModelSchema);
      if (retired > 0) log(`${retired} worker(s) of the previous run marked stopped`);
    }
    if (mode !== "kernel") workers = await startWorkers(config, db.store, queue, progressBus, log);
    if (kernel && config.live.ingest && mode === "up") {
      live = await startLive(config, liveDependencies(kernel));
      ingestUrls = live.ingestUrls;
    } else if (kernel) {
      kernelStarted(kernel);
    }
    if (embedded && (await caughtUp())) {
      // the in-process queue did not survive the previous run: dispatch what it left unfinished
      const again = await redispatchUnfinishedTasks(db.store, db.pool, db.readModelSchema, queue);
      if (again > 0) log(`picked up ${again} task(s) left unfinished by the previous run`);
    }
  };
  try {
    // a fault during start-up ends the start: what was opened is closed below, the database included
    await Promise.race([start(), faults.duringStartUp]);
    faults.serving();
    if (kernel) log(`WebEncode is running at ${kernel.url}  (API docs: ${kernel.url}/docs)`);
    if (mode !== "kernel") log(`${workers.length} encode worker(s) pulling tasks`);
    if (live && Object.keys(live.urls).length > 0)
      log(`live ingest at ${Object.values(live.urls).join(" and ")}`);
    if (mode === "up") log(`data in ${config.dataDir}, media in ${config.mediaDir}`);
    if (kernel?.firstAdminToken) {
      console.log(`\nAdmin token (shown once, keep it safe):\n\n  ${kernel.firstAdminToken}\n`);
      console.log(`  export WEBENCODE_URL=${kernel.url} WEBENCODE_TOKEN=${kernel.firstAdminToken}\n`);
    }
    log("press Ctrl-C to stop");
    await untilSignal();
    log("stopping…");
  } finally {
    kernelStarted(undefined);
    // a kernel's live ingest stops with its restream lock, in kernel.stop()
    if (mode !== "kernel") await live?.stop();
    await Promise.all(workers.map((w) => w.stop()));
    await kernel?.stop();
    await transport?.queue.close();
    await transport?.progressBus.close();
    await db?.close();
    faults.dispose();
  }
  return 0;
}
