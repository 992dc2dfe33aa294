import type pg from "pg";

/** Every row of a table as JSON, in primary-key order: two snapshots are equal row for row. */
export async function snapshotTable(pool: pg.Pool, schema: string, table: string, orderBy: string) {
  const { rows } = await pool.query<{ r: unknown }>(
    `select to_jsonb(t) as r from "${schema}"."${table}" t order by ${orderBy}`,
  );
  return rows.map((row) => row.r);
}

export async function snapshotJobReadModels(pool: pg.Pool, schema: string) {
  return {
    jobs: await snapshotTable(pool, schema, "jobs", "id"),
    job_tasks: await snapshotTable(pool, schema, "job_tasks", "id"),
    job_task_attempts: await snapshotTable(pool, schema, "job_task_attempts", "id"),
    job_timeline: await snapshotTable(pool, schema, "job_timeline", "position"),
    job_counts: await snapshotTable(pool, schema, "job_counts", "status, source_type"),
  };
}
