// What the worker liveness monitor reads: the workers last known online, and the attempts a worker runs.
import type pg from "pg";

export function createWorkerLivenessQueries(pool: pg.Pool, schema: string) {
  return {
    async onlineWorkers() {
      const { rows } = await pool.query<{ id: string; started_at: Date }>(
        `select id, started_at from "${schema}".workers where status = 'online'`,
      );
      return rows.map((row) => ({ workerId: row.id, startedAt: row.started_at }));
    },
    /** Workers that take work now: online, not draining, not quarantined (the liveness monitor marks the silent lost). */
    async healthyWorkers() {
      const { rows } = await pool.query<{ count: number }>(
        `select count(*)::int as count from "${schema}".workers where status = 'online' and not draining and quarantined_at is null`,
      );
      return rows[0]?.count ?? 0;
    },
    async heldAttempts(workerId: string) {
      const { rows } = await pool.query<{ job_id: string; task_id: string; attempt: number }>(
        `select job_id, task_id, attempt from "${schema}".job_task_attempts
         where worker_id = $1 and status = 'running'`,
        [workerId],
      );
      return rows.map((row) => ({ jobId: row.job_id, taskId: row.task_id, attempt: row.attempt }));
    },
  };
}
