// Where each projector stands, written in the same transaction as its read-model rows.
import type pg from "pg";
import type { Migration } from "../postgres/migrate.ts";

export const checkpointMigrations = (schema: string): Migration[] => [
  {
    id: "projections-001-checkpoints",
    sql: `create table "${schema}".projection_checkpoints (
            name text primary key,
            checkpoint text,
            position bigint not null default 0,
            version int not null,
            updated_at timestamptz not null default now()
          )`,
  },
];

export interface CheckpointRow {
  checkpoint: string | null;
  position: number;
  version: number;
}

export async function lockCheckpoint(
  client: pg.PoolClient,
  schema: string,
  name: string,
  version: number,
): Promise<CheckpointRow> {
  await client.query(
    `insert into "${schema}".projection_checkpoints (name, version) values ($1, $2) on conflict do nothing`,
    [name, version],
  );
  const { rows } = await client.query<{ checkpoint: string | null; position: string; version: number }>(
    `select checkpoint, position, version from "${schema}".projection_checkpoints where name = $1 for update`,
    [name],
  );
  const row = rows[0]!;
  return { checkpoint: row.checkpoint, position: Number(row.position), version: row.version };
}

export async function saveCheckpoint(
  client: pg.PoolClient,
  schema: string,
  name: string,
  row: CheckpointRow,
): Promise<void> {
  await client.query(
    `update "${schema}".projection_checkpoints
        set checkpoint = $2, position = $3, version = $4, updated_at = now()
      where name = $1`,
    [name, row.checkpoint, row.position, row.version],
  );
}
