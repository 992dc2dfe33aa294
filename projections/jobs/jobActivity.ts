// Hourly job activity for the dashboard's charts: jobs submitted, completed and failed, and how much
// source video the encode tasks got through. Deleted jobs are left out of the job counts, as everywhere;
// the encoding they took still counts, since the workers did it.
import type pg from "pg";
import type { JobStatsResponse } from "../../schemas/api/jobStatsResponses.ts";

const sql = (t: (name: string) => string) => `
  with hours as (
    select generate_series(
      date_trunc('hour', $1::timestamptz) - ($2::int - 1) * interval '1 hour',
      date_trunc('hour', $1::timestamptz),
      interval '1 hour'
    ) as hour
  ),
  window_start as (select min(hour) as since from hours),
  submitted as (
    select date_trunc('hour', created_at) as hour, count(*)::int as n
    from ${t("jobs")} where not deleted and created_at >= (select since from window_start)
    group by 1
  ),
  finished as (
    select date_trunc('hour', finished_at) as hour,
           count(*) filter (where status = 'completed')::int as completed,
           count(*) filter (where status = 'failed')::int as failed
    from ${t("jobs")} where not deleted and finished_at >= (select since from window_start)
    group by 1
  ),
  encoded as (
    select date_trunc('hour', a.finished_at) as hour,
           sum(k.end_time_sec - k.start_time_sec)::float8 as media_seconds,
           coalesce(sum(a.output_size_bytes), 0)::float8 as output_bytes
    from ${t("job_task_attempts")} a join ${t("job_tasks")} k on k.id = a.task_id
    where a.status = 'completed' and a.finished_at >= (select since from window_start)
    group by 1
  )
  select h.hour, coalesce(s.n, 0) as submitted, coalesce(f.completed, 0) as completed,
         coalesce(f.failed, 0) as failed, coalesce(e.media_seconds, 0) as media_seconds,
         coalesce(e.output_bytes, 0) as output_bytes
  from hours h
  left join submitted s using (hour)
  left join finished f using (hour)
  left join encoded e using (hour)
  order by h.hour`;

interface ActivityRow {
  hour: Date;
  submitted: number;
  completed: number;
  failed: number;
  media_seconds: number;
  output_bytes: number;
}

/** The `hours` hourly buckets that end with the one holding `until`, oldest first. */
export async function jobActivity(
  pool: pg.Pool,
  schema: string,
  hours: number,
  until: Date,
): Promise<JobStatsResponse> {
  const t = (name: string) => `"${schema}"."${name}"`;
  const { rows } = await pool.query<ActivityRow>(sql(t), [until, hours]);
  return {
    hours: rows.map((row) => ({
      hour: row.hour.toISOString(),
      submitted: row.submitted,
      completed: row.completed,
      failed: row.failed,
      media_seconds: row.media_seconds,
      output_bytes: Math.round(row.output_bytes),
    })),
  };
}
