// GET /v1/workers: every worker with its proven encoders, and how long ago it was last heard from
// (its start, or the latest progress tick it sent to this kernel).
import { Hono } from "hono";
import type pg from "pg";
import type { ProgressBus } from "../../domain/ports/progressBus.ts";
import type { HttpEnv } from "../../infra/http/httpEnv.ts";
import { requireRole } from "../../infra/http/requireRole.ts";
import type { ListWorkersResponse } from "../../schemas/api/workerResponses.ts";

export interface WorkerQueryRoutesOptions {
  pool: pg.Pool;
  schema: string;
  progressBus: ProgressBus;
  now?: () => Date;
}

export function workerQueryRoutes(options: WorkerQueryRoutesOptions) {
  const now = options.now ?? (() => new Date());
  const lastTick = new Map<string, { at: string; jobId: string; taskId: string; pct: number }>();
  options.progressBus.subscribe((tick) => {
    lastTick.set(tick.workerId, { at: tick.at, jobId: tick.jobId, taskId: tick.taskId, pct: tick.pct });
  });
  return new Hono<HttpEnv>().get("/v1/workers", requireRole("viewer"), async (c) => {
    const { rows } = await options.pool.query<{
      id: string;
      hostname: string;
      pid: number;
      capabilities: {
        encoders: Array<{ name: string; codec: string; hardware: boolean }>;
        hwaccels: string[];
      };
      status: string;
      started_at: Date;
      stopped_at: Date | null;
      stop_reason: string | null;
    }>(`select * from "${options.schema}".workers order by status, started_at desc limit 500`);
    const workers = rows.map((w) => {
      const tick = lastTick.get(w.id);
      const lastSeen =
        tick && Date.parse(tick.at) > w.started_at.getTime() ? new Date(tick.at) : w.started_at;
      const working = tick && now().getTime() - Date.parse(tick.at) < 10_000 ? tick : null;
      return {
        id: w.id,
        hostname: w.hostname,
        pid: w.pid,
        status: w.status,
        capabilities: { encoders: w.capabilities.encoders, hwaccels: w.capabilities.hwaccels },
        started_at: w.started_at.toISOString(),
        stopped_at: w.stopped_at?.toISOString() ?? null,
        stop_reason: w.stop_reason,
        last_seen_at: lastSeen.toISOString(),
        heartbeat_age_seconds: Math.max(0, Math.round((now().getTime() - lastSeen.getTime()) / 1000)),
        current_task: working
          ? { job_id: working.jobId, task_id: working.taskId, progress_pct: Math.floor(working.pct) }
          : null,
      };
    });
    return c.json({
      workers,
      online: workers.filter((w) => w.status === "online").length,
    } satisfies ListWorkersResponse);
  });
}
