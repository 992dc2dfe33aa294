// Reads of the job read models, shaped as the API answers (snake_case, the spec's fields).

import type pg from "pg";
import type { ProgressTick } from "../../domain/ports/progressBus.ts";
import type { ListJobsQuery } from "../../schemas/api/jobRequests.ts";
import type { JobStatsResponse } from "../../schemas/api/jobStatsResponses.ts";
import type { StitchReport } from "../../schemas/events/jobEvents.ts";
import { jobActivity } from "./jobActivity.ts";

export interface JobView {
  id: string;
  user_id: string;
  status: string;
  source_type: string;
  source_url: string;
  profile: string;
  progress_pct: number;
  tasks_total: number;
  tasks_completed: number;
  eta_seconds: number | null;
  /** Planned work is queued and no encode worker is online to take it. */
  waiting_for_worker: boolean;
  fps: number | null;
  speed: number | null;
  error: { code: string; message: string } | null;
  assigned_worker_id: string | null;
  retry_of: string | null;
  retried_as: string | null;
  prefer_gpu: boolean | null;
  source_info: unknown;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
}

/** A split job's stitch proof and its seams' SSIM against the job's mean. */
export interface StitchView {
  frame_count: number;
  mean_ssim: number | null;
  /** The lowest seam delta (most below the mean); null without seams measured. */
  worst_seam_delta: number | null;
  seams: Array<{ index: number; time_sec: number; ssim: number; delta: number }>;
  seams_unmeasured: string | null;
}

export interface JobDetailView extends JobView {
  outputs: unknown[];
  stitch: StitchView | null;
  tasks: Array<{
    id: string;
    kind: string;
    rendition: string | null;
    renditions: string[];
    stitch: StitchView | null;
    sequence_index: number;
    start_time_sec: number;
    end_time_sec: number;
    status: string;
    attempt: number;
    max_attempts: number;
    worker_id: string | null;
    progress_pct: number;
    not_before: string | null;
    output_size_bytes: number | null;
    attempts: Array<{
      attempt: number;
      status: string;
      worker_id: string | null;
      started_at: string | null;
      finished_at: string | null;
      exit_class: string | null;
      error_message: string | null;
      stderr_tail: string | null;
    }>;
  }>;
  timeline: Array<{
    position: number;
    type: string;
    occurred_at: string;
    summary: string;
    actor: string | null;
  }>;
}

type JobRecord = Record<string, unknown> & { id: string; status: string; progress_pct: number };

const ACTIVE = new Set(["queued", "processing", "stitching", "uploading"]);

/** Merges the latest progress ticks over the stored milestones (ticks are never written to tables). */
export function withLiveProgress(row: JobRecord, ticks: readonly ProgressTick[]) {
  const live = ACTIVE.has(row.status) ? ticks : [];
  const tasksTotal = Math.max(1, Number(row.tasks_total ?? 1));
  const tickPct = live.length > 0 ? live.reduce((sum, t) => sum + t.pct, 0) / tasksTotal : 0;
  const etas = live.map((t) => t.etaSeconds).filter((e): e is number => e !== null);
  const fps = live.map((t) => t.fps).filter((f): f is number => f !== null);
  const speeds = live.map((t) => t.speed).filter((s): s is number => s !== null);
  return {
    progress_pct: Math.min(100, Math.max(row.progress_pct, Math.floor(tickPct))),
    eta_seconds: row.status === "completed" ? 0 : etas.length > 0 ? Math.ceil(Math.max(...etas)) : null,
    fps: fps.length > 0 ? fps.reduce((a, b) => a + b, 0) : null,
    speed: speeds.length > 0 ? speeds.reduce((a, b) => a + b, 0) / speeds.length : null,
  };
}

function jobView(row: JobRecord, ticks: readonly ProgressTick[], workersOnline: number): JobView {
  const unstarted = row.status === "queued" && Number(row.tasks_total) > Number(row.tasks_completed);
  return {
    id: row.id,
    user_id: row.user_id as string,
    status: row.status,
    source_type: row.source_type as string,
    source_url: row.source_url as string,
    profile: row.profile_id as string,
    tasks_total: row.tasks_total as number,
    tasks_completed: row.tasks_completed as number,
    ...withLiveProgress(row, ticks),
    waiting_for_worker: unstarted && workersOnline === 0,
    error: row.error_code
      ? { code: row.error_code as string, message: (row.error_message as string) ?? "" }
      : null,
    assigned_worker_id: (row.assigned_to_worker_id as string | null) ?? null,
    retry_of: (row.retry_of as string | null) ?? null,
    retried_as: (row.retried_as as string | null) ?? null,
    prefer_gpu: (row.prefer_gpu as boolean | null) ?? null,
    source_info: row.source_info ?? null,
    created_at: row.created_at as string,
    updated_at: row.updated_at as string,
    started_at: (row.started_at as string | null) ?? null,
    finished_at: (row.finished_at as string | null) ?? null,
  };
}

// a job's statuses in the order of its life, so "status" sorts the way a reader expects
const LIFECYCLE = "array['queued','processing','stitching','uploading','completed','failed','cancelled']";

/** The order of a sort key; ties go newest first, then by id, so pages never overlap. */
function orderOf(sort: ListJobsQuery["sort"]): string {
  const direction = sort.startsWith("-") ? "desc" : "asc";
  const key = sort.replace("-", "");
  const expression =
    key === "status" ? `array_position(${LIFECYCLE}, status)` : key === "progress" ? "progress_pct" : key;
  return key === "created_at"
    ? `created_at ${direction}, id ${direction}`
    : `${expression} ${direction}, created_at desc, id desc`;
}

export interface JobQueries {
  list(query: ListJobsQuery): Promise<{ jobs: JobView[]; total: number }>;
  get(id: string): Promise<JobDetailView | null>;
  statusCounts(): Promise<Record<string, number>>;
  activity(hours: number, until: Date): Promise<JobStatsResponse>;
}

export function createJobQueries(
  pool: pg.Pool,
  schema: string,
  liveTicks: (jobId: string) => readonly ProgressTick[],
): JobQueries {
  const t = (name: string) => `"${schema}"."${name}"`;
  const workersOnline = async () => {
    const { rows } = await pool
      .query<{ n: number }>(`select count(*)::int as n from ${t("workers")} where status = 'online'`)
      .catch(() => ({ rows: [{ n: 0 }] })); // no workers table yet: nobody has ever started
    return rows[0]!.n;
  };
  return {
    activity: (hours, until) => jobActivity(pool, schema, hours, until),
    async list(query) {
      const conditions = ["not deleted"];
      const params: unknown[] = [];
      if (query.status) {
        params.push(query.status);
        conditions.push(`status = $${params.length}`);
      }
      if (query.source_type) {
        params.push(query.source_type);
        conditions.push(`source_type = $${params.length}`);
      }
      if (query.q) {
        // the user's text is matched literally: % and _ are no wildcards here
        params.push(query.q.replace(/[\\%_]/g, (c) => `\\${c}`));
        const p = `$${params.length}`;
        conditions.push(`(id::text ilike ${p} || '%' or source_url ilike '%' || ${p} || '%')`);
      }
      if (query.from) {
        params.push(query.from);
        conditions.push(`created_at >= $${params.length}`);
      }
      if (query.to) {
        params.push(query.to);
        conditions.push(`created_at < $${params.length}`);
      }
      const order = orderOf(query.sort);
      const filter = conditions.join(" and ");
      const filterParams = [...params];
      params.push(query.limit, query.offset);
      const [page, total, online] = await Promise.all([
        pool.query<{ r: JobRecord }>(
          // the page is read by an index in its order; rows become JSON only after the limit
          `with page as (
             select j.* from ${t("jobs")} j where ${filter}
             order by ${order}
             limit $${params.length - 1} offset $${params.length}
           )
           select to_jsonb(page) as r from page order by ${order}`,
          params,
        ),
        // status and source type alone: the projector keeps their counts; other filters are counted
        query.q || query.from || query.to
          ? pool
              .query<{ n: number }>(
                `select count(*)::int as n from ${t("jobs")} where ${filter}`,
                filterParams,
              )
              .then(({ rows }) => rows[0]!.n)
          : pool
              .query<{ n: number }>(
                `select coalesce(sum(n), 0)::int as n from ${t("job_counts")}
                 where ($1::text is null or status = $1) and ($2::text is null or source_type = $2)`,
                [query.status ?? null, query.source_type ?? null],
              )
              .then(({ rows }) => rows[0]!.n),
        workersOnline(),
      ]);
      return { jobs: page.rows.map(({ r }) => jobView(r, liveTicks(r.id), online)), total };
    },

    async get(id) {
      const job = await pool.query<{ r: JobRecord }>(
        `select to_jsonb(j) as r from ${t("jobs")} j where id = $1 and not deleted`,
        [id],
      );
      const row = job.rows[0]?.r;
      if (!row) return null;
      const [tasks, attempts, timeline] = await Promise.all([
        pool.query<{ r: Record<string, unknown> }>(
          `select to_jsonb(x) as r from ${t("job_tasks")} x where job_id = $1 order by sequence_index`,
          [id],
        ),
        pool.query<{ r: Record<string, unknown> }>(
          `select to_jsonb(a) as r from ${t("job_task_attempts")} a where job_id = $1 order by task_id, attempt`,
          [id],
        ),
        pool.query<{
          position: string;
          type: string;
          occurred_at: Date;
          summary: string;
          actor_user_id: string | null;
        }>(
          `select position, type, occurred_at, summary, actor_user_id from ${t("job_timeline")}
            where job_id = $1 order by position desc limit 200`,
          [id],
        ),
      ]);
      const ticks = liveTicks(id);
      return {
        ...jobView(row, ticks, await workersOnline()),
        outputs: (row.outputs as unknown[]) ?? [],
        stitch: stitchView(row.stitch as StitchReport | null | undefined),
        tasks: tasks.rows.map(({ r }) => {
          const tick = ticks.find((x) => x.taskId === r.id && x.attempt === r.attempt_count);
          return {
            id: r.id as string,
            kind: (r.kind as string | undefined) ?? "video",
            rendition: (r.rendition as string | null | undefined) ?? null,
            renditions: (r.renditions as string[] | null | undefined) ?? [],
            sequence_index: r.sequence_index as number,
            start_time_sec: r.start_time_sec as number,
            end_time_sec: r.end_time_sec as number,
            status: r.status as string,
            attempt: r.attempt_count as number,
            max_attempts: r.max_attempts as number,
            worker_id: (r.assigned_worker_id as string | null) ?? null,
            progress_pct:
              r.status === "running" && tick
                ? Math.max(r.progress_pct as number, Math.floor(tick.pct))
                : (r.progress_pct as number),
            not_before: (r.not_before as string | null) ?? null,
            output_size_bytes: (r.output_size_bytes as number | null) ?? null,
            stitch: stitchView(r.stitch as StitchReport | null | undefined),
            attempts: attempts.rows
              .filter(({ r: a }) => a.task_id === r.id)
              .map(({ r: a }) => ({
                attempt: a.attempt as number,
                status: a.status as string,
                worker_id: (a.worker_id as string | null) ?? null,
                started_at: (a.started_at as string | null) ?? null,
                finished_at: (a.finished_at as string | null) ?? null,
                exit_class: (a.exit_class as string | null) ?? null,
                error_message: (a.error_message as string | null) ?? null,
                stderr_tail: (a.stderr_tail as string | null) ?? null,
              })),
          };
        }),
        timeline: timeline.rows.reverse().map((e) => ({
          position: Number(e.position),
          type: e.type,
          occurred_at: e.occurred_at.toISOString(),
          summary: e.summary,
          actor: e.actor_user_id,
        })),
      };
    },

    async statusCounts() {
      const { rows } = await pool.query<{ status: string; n: string }>(
        `select status, count(*) as n from ${t("jobs")} where not deleted group by status`,
      );
      return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
    },
  };
}

function stitchView(report: StitchReport | null | undefined): StitchView | null {
  if (report === null || report === undefined) return null;
  const deltas = report.seams.map((seam) => seam.delta);
  return {
    frame_count: report.frameCount,
    mean_ssim: report.meanSsim,
    worst_seam_delta: deltas.length === 0 ? null : Math.min(...deltas),
    seams: report.seams.map(({ index, timeSec, ssim, delta }) => ({ index, time_sec: timeSec, ssim, delta })),
    seams_unmeasured: report.seamsUnmeasured ?? null,
  };
}
