// Test support: a kernel and its encode workers in this process on one test database, with an in-process
// queue and progress bus, and an admin token: what the platform integration tests start.
import type { WorkQueue } from "../../domain/ports/workQueue.ts";
import { openDatabase, type PlatformDatabase } from "../../infra/platform/openDatabase.ts";
import type { PlatformConfig } from "../../infra/platform/platformConfig.ts";
import { type Kernel, startKernel } from "../../infra/platform/startKernel.ts";
import { startWorkers } from "../../infra/platform/startWorkers.ts";
import { createMemoryProgressBus } from "../../infra/progress/memoryProgressBus.ts";
import { createMemoryWorkQueue } from "../../infra/queue/memory/memoryWorkQueue.ts";
import type { EncodeWorker } from "../../workers/encode/encodeWorker.ts";

export interface InProcessPlatform {
  readonly db: PlatformDatabase;
  readonly kernel: Kernel;
  readonly workers: EncodeWorker[];
  /** An admin's bearer token, as JSON request headers. */
  readonly headers: Record<string, string>;
  /** Workers, then the kernel, then the database connections (the test drops its database itself). */
  stop(): Promise<void>;
}

export async function startInProcessPlatform(
  config: PlatformConfig,
  databaseUrl: string,
  /** The work queue, where the test publishes to it too. */
  options: { queue?: WorkQueue } = {},
): Promise<InProcessPlatform> {
  const db = await openDatabase({ dataDir: config.dataDir, databaseUrl });
  const queue = options.queue ?? createMemoryWorkQueue();
  const bus = createMemoryProgressBus();
  const kernel = await startKernel(config, db, queue, bus, () => {});
  const workers = await startWorkers(config, db.store, queue, bus, () => {});
  const issued = await kernel.tokens.issue(
    { name: "admin", role: "admin" },
    { userId: "system", role: "system" },
  );
  if (issued._tag !== "Issued") throw new Error(issued._tag);
  return {
    db,
    kernel,
    workers,
    headers: { authorization: `Bearer ${issued.token}`, "content-type": "application/json" },
    async stop() {
      await Promise.all(workers.map((w) => w.stop()));
      await kernel.stop();
      await db.close();
    },
  };
}
