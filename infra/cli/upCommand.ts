// `webencode up`: the whole platform in one process — API, dashboard feed, projectors, reactors and
// encode workers — on the embedded database, an in-process queue and the local filesystem.

import { openDatabase } from "../platform/openDatabase.ts";
import { type ConfigFlags, loadConfig } from "../platform/platformConfig.ts";
import { redispatchUnfinishedTasks } from "../platform/redispatchUnfinishedTasks.ts";
import { startKernel } from "../platform/startKernel.ts";
import { startWorkers } from "../platform/startWorkers.ts";
import { createMemoryProgressBus } from "../progress/memoryProgressBus.ts";
import { createMemoryWorkQueue } from "../queue/memory/memoryWorkQueue.ts";

export async function upCommand(flags: ConfigFlags): Promise<number> {
  const config = loadConfig(flags);
  const log = (message: string) => console.error(`[webencode] ${message}`);
  const db = await openDatabase({
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    eventStoreUrl: config.eventStoreUrl,
    log,
  });
  const queue = createMemoryWorkQueue();
  const progressBus = createMemoryProgressBus({ onError: (e) => log(`progress: ${(e as Error).message}`) });
  const kernel = await startKernel(config, db, queue, progressBus, log);
  const workers = await startWorkers(config, db.store, queue, progressBus, log);
  const jobs = kernel.projectors.find((p) => p.name === "jobs")!;
  if (await jobs.waitForPosition(await db.store.headPosition(), 30_000)) {
    const again = await redispatchUnfinishedTasks(db.store, db.pool, db.readModelSchema, queue);
    if (again > 0) log(`picked up ${again} task(s) left unfinished by the previous run`);
  }

  log(`WebEncode is running at ${kernel.url}  (API docs: ${kernel.url}/docs)`);
  log(`data in ${config.dataDir}, media in ${config.mediaDir}, ${workers.length} encode worker(s)`);
  if (kernel.firstAdminToken) {
    console.log(`\nAdmin token (shown once, keep it safe):\n\n  ${kernel.firstAdminToken}\n`);
    console.log(`  export WEBENCODE_URL=${kernel.url} WEBENCODE_TOKEN=${kernel.firstAdminToken}\n`);
  }
  log("press Ctrl-C to stop");

  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  log("stopping…");
  await Promise.all(workers.map((w) => w.stop()));
  await kernel.stop();
  await queue.close();
  await progressBus.close();
  await db.close();
  return 0;
}
