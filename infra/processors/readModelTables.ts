// Live and rebuild tables of the read models, and bringing them to the projector's version.
import type pg from "pg";
import type { EventStore } from "../../domain/ports/eventStore.ts";
import type { Projector } from "../../projections/projector.ts";
import { migrate } from "../postgres/migrate.ts";
import { checkpointMigrations } from "./projectionCheckpoints.ts";
import { rebuildProjection } from "./rebuildProjection.ts";

export const REBUILD_SUFFIX = "__rebuild";

export const liveTable = (schema: string, name: string) => `"${schema}"."${name}"`;
export const rebuildTable = (schema: string, name: string) => `"${schema}"."${name}${REBUILD_SUFFIX}"`;

export async function ensureReadModel(
  pool: pg.Pool,
  schema: string,
  projector: Projector,
  store: EventStore,
  log: (level: "info" | "error", message: string) => void,
): Promise<void> {
  await migrate(pool, schema, checkpointMigrations(schema));
  const client = await pool.connect();
  let needsRebuild = false;
  try {
    await client.query("select pg_advisory_lock(hashtext($1))", [
      `webencode-readmodel:${schema}:${projector.name}`,
    ]);
    const { rows } = await client.query<{ version: number }>(
      `select version from "${schema}".projection_checkpoints where name = $1`,
      [projector.name],
    );
    const missing = await client.query<{ name: string }>(
      `select t.name from unnest($2::text[]) t(name)
        where to_regclass(format('%I.%I', $1::text, t.name)) is null`,
      [schema, projector.tables.map((t) => t.name)],
    );
    if (!rows[0] || missing.rows.length === projector.tables.length) {
      await client.query("begin");
      for (const table of projector.tables) {
        const qualified = liveTable(schema, table.name);
        await client.query(`drop table if exists ${qualified}`);
        await client.query(table.createTable(qualified));
        await client.query(table.createIndexes(qualified, table.name));
      }
      await client.query(
        `insert into "${schema}".projection_checkpoints (name, version, position, checkpoint) values ($1, $2, 0, null)
         on conflict (name) do update set version = excluded.version, position = 0, checkpoint = null`,
        [projector.name, projector.version],
      );
      await client.query("commit");
    } else if (rows[0].version !== projector.version || missing.rows.length > 0) {
      needsRebuild = true;
    }
  } catch (failure) {
    // an aborted transaction would refuse the unlock, and the lock would outlive this attempt
    await client.query("rollback").catch(() => {});
    throw failure;
  } finally {
    const unlocked = await client
      .query("select pg_advisory_unlock(hashtext($1))", [`webencode-readmodel:${schema}:${projector.name}`])
      .then(
        () => true,
        () => false,
      );
    // a connection that could not unlock is closed, which ends its lock as well
    client.release(!unlocked);
  }
  if (needsRebuild) {
    log("info", `read model ${projector.name} is out of date: rebuilding it from the event log`);
    await rebuildProjection({ store, pool, schema, projector });
  }
}
