// `webencode up`: the whole platform in one process on the embedded database.
import { allProjectors } from "../../projections/allProjectors.ts";
import { startProjector } from "../../projections/runProjector.ts";
import { openDatabase } from "../platform/openDatabase.ts";

export async function upCommand(options: { dataDir: string }): Promise<number> {
  const log = (message: string) => console.error(`[webencode] ${message}`);
  const db = await openDatabase({
    dataDir: options.dataDir,
    databaseUrl: process.env.DATABASE_URL,
    eventStoreUrl: process.env.EVENT_STORE_URL,
    log,
  });
  const runners = allProjectors.map((projector) =>
    startProjector({
      store: db.store,
      pool: db.pool,
      schema: db.readModelSchema,
      projector,
      log: (_level, message) => log(message),
    }),
  );
  log(
    `event store and projectors running (${runners.map((r) => r.name).join(", ")}); data in ${options.dataDir}`,
  );
  log("press Ctrl-C to stop");
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  log("stopping…");
  await Promise.all(runners.map((r) => r.stop()));
  await db.close();
  return 0;
}
