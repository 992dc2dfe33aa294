// Test support: one encode worker in a process of its own, on Postgres and NATS, so a test can kill it
// with -9. Configured by WORKER_CONFIG (JSON); prints "ready" once it takes messages.
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { createJobCommands } from "../../commands/jobs/createJobCommands.ts";
import { openPostgresEventStore } from "../../infra/eventstore/postgres/postgresEventStore.ts";
import { openNatsWorkQueue } from "../../infra/queue/nats/natsWorkQueue.ts";
import { builtInProfiles } from "../../plugins/encoder-ffmpeg/builtInProfiles.ts";
import { createFfmpegEncoder } from "../../plugins/encoder-ffmpeg/createFfmpegEncoder.ts";
import { startEncodeWorker } from "../../workers/encode/encodeWorker.ts";
import { createRecordingProgressBus } from "./createRecordingProgressBus.ts";
import { fsMediaStorage } from "./fsMediaStorage.ts";

export interface EncodeWorkerTestConfig {
  databaseUrl: string;
  eventSchema: string;
  nats: { servers: string; stream: string; subject: string; durable: string };
  workerId: string;
  mediaRoot: string;
  storageRoot: string;
  stateDir: string;
  ackWaitMs: number;
  /** x264 preset of the `crash_test` profile: slow for the worker to be killed, fast for the next. */
  preset: string;
}

const config = JSON.parse(process.env.WORKER_CONFIG ?? "{}") as EncodeWorkerTestConfig;
const store = await openPostgresEventStore({
  url: config.databaseUrl,
  schema: config.eventSchema,
  pollMs: 200,
});
const queue = await openNatsWorkQueue({ ...config.nats, ackWaitMs: config.ackWaitMs });
const storage = await fsMediaStorage({ mediaRoot: config.mediaRoot, storageRoot: config.storageRoot });
const base = builtInProfiles["480p_fast"];
const worker = await startEncodeWorker({
  workerId: config.workerId,
  jobs: createJobCommands({ store, newId: randomUUID, now: () => new Date() }),
  store,
  queue,
  progressBus: createRecordingProgressBus(),
  encoder: createFfmpegEncoder({ stateDir: config.stateDir }),
  profiles: { crash_test: { ...base, name: "crash_test", video: { ...base.video, preset: config.preset } } },
  storage,
  scratchDir: join(config.stateDir, "scratch"),
  ackWaitMs: config.ackWaitMs,
  newId: randomUUID,
  now: () => new Date(),
  log: (level, message) => console.error(`[${config.workerId}] ${level}: ${message}`),
});
process.once("SIGTERM", async () => {
  await worker.stop();
  await queue.close();
  await storage.close();
  await store.close();
  process.exit(0);
});
console.log("ready");
