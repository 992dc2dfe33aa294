// Encode workers of this process: each pulls tasks from the queue and runs ffmpeg.
import { randomUUID } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { hostname } from "node:os";
import type { EventStore } from "../../domain/ports/eventStore.ts";
import type { ProgressBus } from "../../domain/ports/progressBus.ts";
import type { WorkQueue } from "../../domain/ports/workQueue.ts";
import { builtInProfiles } from "../../plugins/encoder-ffmpeg/builtInProfiles.ts";
import { createFfmpegEncoder } from "../../plugins/encoder-ffmpeg/createFfmpegEncoder.ts";
import { ffmpegPluginConfig } from "../../plugins/encoder-ffmpeg/ffmpegPluginConfig.ts";
import { type EncodeWorker, startEncodeWorker } from "../../workers/encode/encodeWorker.ts";
import { createEgressProxy } from "../egress/createEgressProxy.ts";
import { remoteSourceOptions } from "../egress/remoteSourceOptions.ts";
import { loadInstalledPlugins, requirePlugin } from "../plugins/loadInstalledPlugins.ts";
import type { PlatformConfig } from "./platformConfig.ts";
import { type Log, VERSION } from "./startKernel.ts";

export async function startWorkers(
  config: PlatformConfig,
  store: EventStore,
  queue: WorkQueue,
  progressBus: ProgressBus,
  log: Log,
): Promise<EncodeWorker[]> {
  const encoderConfig = ffmpegPluginConfig(
    requirePlugin(await loadInstalledPlugins(config, VERSION), "encoder-ffmpeg"),
  );
  await mkdir(config.stateDir, { recursive: true });
  await mkdir(config.storageDir, { recursive: true });
  const remoteSources = remoteSourceOptions(config);
  const encoder = createFfmpegEncoder({
    stateDir: config.stateDir,
    egress: createEgressProxy(remoteSources),
    ...encoderConfig,
  });
  const run = `${hostname()}-${randomUUID().slice(0, 8)}`;
  const workers: EncodeWorker[] = [];
  for (let i = 1; i <= config.workers; i++) {
    workers.push(
      await startEncodeWorker({
        workerId: config.workers === 1 ? run : `${run}-${i}`,
        store,
        queue,
        progressBus,
        encoder,
        profiles: builtInProfiles,
        mediaRoot: config.mediaDir,
        storageRoot: config.storageDir,
        stallTimeoutMs: config.stallTimeoutMs,
        ackWaitMs: config.ackWaitMs,
        remoteSources,
        newId: randomUUID,
        now: () => new Date(),
        log: (level, message) => log(`${level === "info" ? "" : `${level}: `}${message}`),
      }),
    );
  }
  return workers;
}
