import { allProjectors } from "../../projections/allProjectors.ts";
import { openDatabase } from "../platform/openDatabase.ts";
import { ensureReadModel } from "../processors/readModelTables.ts";
import { rebuildProjection } from "../processors/rebuildProjection.ts";
import { createProgressBar } from "./progressBar.ts";

export async function projectionsCommand(args: string[], options: { dataDir: string }): Promise<number> {
  const [action, name] = args;
  if (action !== "rebuild" && action !== "status") {
    console.error("usage: webencode projections rebuild [name] | projections status");
    return 2;
  }
  const projectors = allProjectors.filter((p) => !name || p.name === name);
  if (projectors.length === 0) {
    console.error(`no projector named ${name}; known: ${allProjectors.map((p) => p.name).join(", ")}`);
    return 2;
  }
  const db = await openDatabase({
    dataDir: options.dataDir,
    databaseUrl: process.env.DATABASE_URL,
    eventStoreUrl: process.env.EVENT_STORE_URL,
    log: (m) => console.error(m),
  });
  try {
    const schema = db.readModelSchema;
    if (action === "status") {
      const head = await db.store.headPosition();
      for (const projector of projectors) {
        await ensureReadModel(db.pool, schema, projector, db.store, () => {});
        const { rows } = await db.pool.query<{ position: string; version: number; updated_at: Date }>(
          `select position, version, updated_at from "${schema}".projection_checkpoints where name = $1`,
          [projector.name],
        );
        const row = rows[0];
        console.log(
          `${projector.name.padEnd(16)} position ${row?.position ?? 0} of ${head}  version ${row?.version ?? "-"}  updated ${row?.updated_at?.toISOString() ?? "never"}`,
        );
      }
      return 0;
    }
    for (const projector of projectors) {
      await ensureReadModel(db.pool, schema, projector, db.store, () => {});
      const bar = createProgressBar(`rebuilding ${projector.name}`);
      const result = await rebuildProjection({
        store: db.store,
        pool: db.pool,
        schema,
        projector,
        onProgress: (p) =>
          bar.update(
            p.position,
            p.head,
            `${p.events} events, ${Math.round(p.eventsPerSecond).toLocaleString("en")} events/s`,
          ),
      });
      bar.finish(
        `rebuilt ${projector.name}: ${result.events} events in ${result.seconds.toFixed(2)} s (${Math.round(result.events / Math.max(result.seconds, 1e-3)).toLocaleString("en")} events/s), swapped in at position ${result.position}`,
      );
    }
    return 0;
  } finally {
    await db.close();
  }
}
