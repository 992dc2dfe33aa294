// GET /v1/workers and /v1/workers/{id}: every worker with its proven capabilities, whether it is
// draining, and how long ago it was last heard from (its start, a heartbeat or a progress tick seen by
// this kernel); one worker with its running tasks, tasks done, mean task time and recent errors.
import { Hono } from "hono";
import type pg from "pg";
import type { ProgressBus } from "../../domain/ports/progressBus.ts";
import { ApiError } from "../../infra/http/apiError.ts";
import type { HttpEnv } from "../../infra/http/httpEnv.ts";
import { requireRole } from "../../infra/http/requireRole.ts";
import type { ListWorkersResponse, WorkerDetail } from "../../schemas/api/workerResponses.ts";
import type { WorkerCapabilities } from "../../schemas/events/workerEvents.ts";

export interface WorkerQueryRoutesOptions {
  pool: pg.Pool;
  schema: string;
  progressBus: ProgressBus;
  /** When each worker was last heard from on the bus (heartbeats), if this kernel listens for them. */
  lastHeartbeat?: (workerId: string) => Date | null;
  now?: () => Date;
}

interface WorkerRow {
  id: string;
  hostname: string;
  pid: number;
  capabilities: WorkerCapabilities;
  status: string;
  draining: boolean;
  started_at: Date;
  stopped_at: Date | null;
  stop_reason: string | null;
  lost_at: Date | null;
  quarantined_at: Date | null;
  quarantine_reason: string | null;
  quarantine_exit_class: string | null;
}

const RECENT_ERRORS = 10;

export function workerQueryRoutes(options: WorkerQueryRoutesOptions) {
  const now = options.now ?? (() => new Date());
  const t = (name: string) => `"${options.schema}".${name}`;
  const lastTick = new Map<string, { at: string; jobId: string; taskId: string; pct: number }>();
  options.progressBus.subscribe((tick) => {
    lastTick.set(tick.workerId, { at: tick.at, jobId: tick.jobId, taskId: tick.taskId, pct: tick.pct });
  });
  // a worker's heartbeat says when it holds nothing: its last tick is then a finished task's
  const idleSince = new Map<string, number>();
  options.progressBus.subscribeHeartbeats((heartbeat) => {
    if (heartbeat.runningTasks === 0) idleSince.set(heartbeat.workerId, Date.parse(heartbeat.at));
    else idleSince.delete(heartbeat.workerId);
  });

  const workerJson = (w: WorkerRow): ListWorkersResponse["workers"][number] => {
    const tick = lastTick.get(w.id);
    const heard = [w.started_at.getTime(), tick ? Date.parse(tick.at) : 0];
    const beat = options.lastHeartbeat?.(w.id);
    if (beat) heard.push(beat.getTime());
    const lastSeen = new Date(Math.max(...heard));
    const idle = tick !== undefined && (idleSince.get(w.id) ?? 0) > Date.parse(tick.at);
    const working = tick && !idle && now().getTime() - Date.parse(tick.at) < 10_000 ? tick : null;
    const { encoders, hwaccels, audioCodecs, containers, ...machine } = w.capabilities;
    return {
      id: w.id,
      hostname: w.hostname,
      pid: w.pid,
      status: w.status as ListWorkersResponse["workers"][number]["status"],
      draining: w.draining,
      capabilities: {
        encoders,
        hwaccels,
        audio_codecs: audioCodecs,
        containers,
        cpu_cores: machine.cpuCores ?? null,
        memory_bytes: machine.memoryBytes ?? null,
        gpus: machine.gpus ?? [],
        max_parallel_tasks: machine.maxParallelTasks ?? 1,
        version: machine.version ?? null,
      },
      started_at: w.started_at.toISOString(),
      stopped_at: w.stopped_at?.toISOString() ?? null,
      stop_reason: w.stop_reason,
      lost_at: w.lost_at?.toISOString() ?? null,
      last_seen_at: lastSeen.toISOString(),
      heartbeat_age_seconds: Math.max(0, Math.round((now().getTime() - lastSeen.getTime()) / 1000)),
      current_task: working
        ? { job_id: working.jobId, task_id: working.taskId, progress_pct: Math.floor(working.pct) }
        : null,
      quarantined:
        w.quarantined_at === null
          ? null
          : {
              reason: w.quarantine_reason ?? "",
              exit_class: w.quarantine_exit_class ?? "",
              since: w.quarantined_at.toISOString(),
            },
    };
  };

  return new Hono<HttpEnv>()
    .get("/v1/workers", requireRole("viewer"), async (c) => {
      const { rows } = await options.pool.query<WorkerRow>(
        `select * from ${t("workers")} order by status, started_at desc limit 500`,
      );
      const workers = rows.map(workerJson);
      return c.json({
        workers,
        online: workers.filter((w) => w.status === "online").length,
      } satisfies ListWorkersResponse);
    })
    .get("/v1/workers/:id", requireRole("viewer"), async (c) => {
      const id = c.req.param("id");
      const { rows } = await options.pool.query<WorkerRow>(`select * from ${t("workers")} where id = $1`, [
        id,
      ]);
      const worker = rows[0];
      if (!worker) {
        throw new ApiError("WE-WRK-001", `No worker ${JSON.stringify(id.slice(0, 200))}`, {
          hint: "List workers with GET /v1/workers",
        });
      }
      const [running, done, errors] = await Promise.all([
        options.pool.query<{ job_id: string; task_id: string; attempt: number; started_at: Date | null }>(
          `select job_id, task_id, attempt, started_at from ${t("job_task_attempts")}
           where worker_id = $1 and status = 'running' order by started_at`,
          [id],
        ),
        options.pool.query<{ tasks_done: string; mean_task_seconds: number | null }>(
          `select count(*) as tasks_done,
                  avg(extract(epoch from finished_at - started_at))::float8 as mean_task_seconds
           from ${t("job_task_attempts")} where worker_id = $1 and status = 'completed'`,
          [id],
        ),
        options.pool.query<{
          job_id: string;
          task_id: string;
          attempt: number;
          exit_class: string | null;
          error_message: string | null;
          finished_at: Date | null;
        }>(
          `select job_id, task_id, attempt, exit_class, error_message, finished_at
           from ${t("job_task_attempts")} where worker_id = $1 and status = 'failed'
           order by finished_at desc nulls last limit ${RECENT_ERRORS}`,
          [id],
        ),
      ]);
      const stats = done.rows[0];
      return c.json({
        ...workerJson(worker),
        running_tasks: running.rows.map((r) => ({
          job_id: r.job_id,
          task_id: r.task_id,
          attempt: r.attempt,
          started_at: r.started_at?.toISOString() ?? null,
        })),
        tasks_done: Number(stats?.tasks_done ?? 0),
        mean_task_seconds: stats?.mean_task_seconds ?? null,
        recent_errors: errors.rows.map((r) => ({
          job_id: r.job_id,
          task_id: r.task_id,
          attempt: r.attempt,
          exit_class: r.exit_class,
          message: r.error_message,
          at: r.finished_at?.toISOString() ?? null,
        })),
      } satisfies WorkerDetail);
    });
}
