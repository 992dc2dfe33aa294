// Ordered, append-only migrations per schema, applied once under an advisory lock so that several
// processes starting together never race each other.
import type pg from "pg";

export interface Migration {
  id: string;
  sql: string;
}

export async function migrate(
  pool: pg.Pool,
  schema: string,
  migrations: readonly Migration[],
): Promise<string[]> {
  const client = await pool.connect();
  try {
    await client.query("select pg_advisory_lock(hashtext($1))", [`webencode-migrate:${schema}`]);
    try {
      await client.query(`create schema if not exists "${schema}"`);
      await client.query(
        `create table if not exists "${schema}".schema_migrations (id text primary key, applied_at timestamptz not null default now())`,
      );
      const { rows } = await client.query<{ id: string }>(`select id from "${schema}".schema_migrations`);
      const done = new Set(rows.map((r) => r.id));
      const applied: string[] = [];
      for (const migration of migrations) {
        if (done.has(migration.id)) continue;
        await client.query("begin");
        try {
          await client.query(migration.sql);
          await client.query(`insert into "${schema}".schema_migrations (id) values ($1)`, [migration.id]);
          await client.query("commit");
        } catch (error) {
          await client.query("rollback");
          throw new Error(`migration ${migration.id} failed: ${(error as Error).message}`, { cause: error });
        }
        applied.push(migration.id);
      }
      return applied;
    } finally {
      await client.query("select pg_advisory_unlock(hashtext($1))", [`webencode-migrate:${schema}`]);
    }
  } finally {
    client.release();
  }
}
