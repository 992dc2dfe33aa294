// Liveness (/health: the process answers) and readiness (/ready: the event store, the read models and
// the queue answer, and no projector has stopped on a bad event). A check that is ok but degraded (a
// part the rest does without, as live ingest on a taken port) makes the answer "degraded", still 200.
import { Hono } from "hono";
import type { HealthResponse, ReadinessResponse } from "../../schemas/api/healthResponses.ts";
import type { HttpEnv } from "./httpEnv.ts";

export type ReadinessCheck = () => Promise<{
  ok: boolean;
  degraded?: boolean;
  detail?: string | number | Record<string, unknown>;
}>;

export function healthRoutes(checks: Record<string, ReadinessCheck>, version: string) {
  return new Hono<HttpEnv>()
    .get("/health", (c) => c.json({ status: "ok", version } satisfies HealthResponse))
    .get("/ready", async (c) => {
      const results = await Promise.all(
        Object.entries(checks).map(async ([name, check]) => {
          try {
            const result = await Promise.race([
              check(),
              new Promise<{ ok: false; detail: string }>((resolve) =>
                setTimeout(() => resolve({ ok: false, detail: "no answer within 2 s" }), 2000).unref(),
              ),
            ]);
            return [name, result] as const;
          } catch (error) {
            return [name, { ok: false, detail: (error as Error).message }] as const;
          }
        }),
      );
      const ready = results.every(([, r]) => r.ok);
      const degraded = results.some(([, r]) => "degraded" in r && r.degraded === true);
      return c.json(
        {
          status: !ready ? "not_ready" : degraded ? "degraded" : "ready",
          checks: Object.fromEntries(results),
        } satisfies ReadinessResponse,
        ready ? 200 : 503,
      );
    });
}
