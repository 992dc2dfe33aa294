// Encode workers of this process: each pulls tasks from the queue and runs ffmpeg. Sources are read and
// outputs stored through this process's own storage providers; attempts encode in a local scratch folder.
import { randomBytes, randomUUID } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { createJobCommands } from "../../commands/jobs/createJobCommands.ts";
import { createWorkerCommands } from "../../commands/workers/createWorkerCommands.ts";
import type { EventStore } from "../../domain/ports/eventStore.ts";
import type { ProgressBus } from "../../domain/ports/progressBus.ts";
import type { WorkQueue } from "../../domain/ports/workQueue.ts";
import { createFfmpegEncoder } from "../../plugins/encoder-ffmpeg/createFfmpegEncoder.ts";
import { detectGpus } from "../../plugins/encoder-ffmpeg/detectGpus.ts";
import { ffmpegPluginConfig } from "../../plugins/encoder-ffmpeg/ffmpegPluginConfig.ts";
import type { EncoderPlugin } from "../../plugins/sdk/encoderPlugin.ts";
import { type EncodeWorker, startEncodeWorker } from "../../workers/encode/encodeWorker.ts";
import { machineCapabilities } from "../../workers/encode/machineCapabilities.ts";
import { shedWorkOnOutOfMemory } from "../../workers/encode/shedWorkOnOutOfMemory.ts";
import { createEgressProxy } from "../egress/createEgressProxy.ts";
import { remoteSourceOptions } from "../egress/remoteSourceOptions.ts";
import { storageEndpointOrigins } from "../egress/storageEndpointOrigins.ts";
import { createErrorReporter } from "../errors/createErrorReporter.ts";
import { reportingLog } from "../errors/reportingLog.ts";
import { loadInstalledPlugins, requirePlugin } from "../plugins/loadInstalledPlugins.ts";
import { startStorageProviders } from "../storage/startStorageProviders.ts";
import { builtInEncodeProfiles } from "./builtInEncodeProfiles.ts";
import type { PlatformConfig } from "./platformConfig.ts";
import { type Log, VERSION } from "./startKernel.ts";

/** The workers' storage providers and egress proxy are released once the last of them has stopped. */
export async function startWorkers(
  config: PlatformConfig,
  store: EventStore,
  queue: WorkQueue,
  progressBus: ProgressBus,
  plainLog: Log,
  /** Another encoder plugin for every worker (benchmarks drive a stand-in). */
  overrides: { encoder?: EncoderPlugin } = {},
): Promise<EncodeWorker[]> {
  const plugins = await loadInstalledPlugins(config, VERSION);
  const encoderConfig = ffmpegPluginConfig(requirePlugin(plugins, "encoder-ffmpeg"));
  await mkdir(config.stateDir, { recursive: true });
  const scratchDir = join(config.stateDir, "scratch");
  await mkdir(scratchDir, { recursive: true, mode: 0o700 });
  const storage = await startStorageProviders(plugins, {
    mediaDir: config.mediaDir,
    storageDir: config.storageDir,
    jobStorage: config.jobStorage,
    // a worker serves no signed links: a secret of its own run is enough for its storage-fs
    secret: config.secret ?? randomBytes(32).toString("hex"),
  });
  const remoteSources = remoteSourceOptions(config);
  const egress = createEgressProxy({ ...remoteSources, storageOrigins: storageEndpointOrigins(plugins) });
  const encoder =
    overrides.encoder ?? createFfmpegEncoder({ stateDir: config.stateDir, egress, ...encoderConfig });
  const run = `${hostname()}-${randomUUID().slice(0, 8)}`;
  const newId = randomUUID;
  const now = () => new Date();
  const reporter = createErrorReporter({ store, newId, now, source: "worker", fallback: plainLog });
  const log = reportingLog(plainLog, reporter);
  const jobs = createJobCommands({ store, newId, now });
  // one task per worker: after an out-of-memory failure the process runs one worker fewer
  const shedding = shedWorkOnOutOfMemory({
    jobs,
    workers: createWorkerCommands({ store, newId, now }),
    newId,
    log: (level, message) => log(`${level === "info" ? "" : `${level}: `}${message}`),
  });
  const machine = machineCapabilities(await detectGpus(), VERSION);
  const started: EncodeWorker[] = [];
  const release = async () => {
    await reporter.flush();
    await egress.close();
    await storage.close();
  };
  try {
    for (let i = 1; i <= config.workers; i++) {
      const workerId = config.workers === 1 ? run : `${run}-${i}`;
      started.push(
        await startEncodeWorker({
          workerId,
          jobs: shedding.jobsOf(workerId),
          store,
          queue,
          progressBus,
          encoder,
          profiles: builtInEncodeProfiles,
          storage,
          scratchDir,
          machine,
          heartbeatIntervalMs: config.heartbeatIntervalMs,
          stallTimeoutMs: config.stallTimeoutMs,
          ackWaitMs: config.ackWaitMs,
          remoteSources,
          newId,
          now,
          log: (level, message) => log(`${level === "info" ? "" : `${level}: `}${message}`),
        }),
      );
    }
  } catch (error) {
    await Promise.all(started.map((worker) => worker.stop()));
    await release();
    throw error;
  }
  let running = started.length;
  if (running === 0) await release();
  return started.map((worker) => {
    let stopping: Promise<void> | undefined;
    return {
      ...worker,
      current: () => worker.current(),
      stop() {
        stopping ??= worker.stop().then(async () => {
          running--;
          if (running === 0) await release();
        });
        return stopping;
      },
    };
  });
}
