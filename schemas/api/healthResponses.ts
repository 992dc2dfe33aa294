// /health (the process answers) and /ready (what it depends on answers).
import { z } from "zod";

export const healthResponseSchema = z
  .strictObject({ status: z.literal("ok"), version: z.string() })
  .meta({ id: "Health" });

export const readinessResponseSchema = z
  .strictObject({
    status: z.enum(["ready", "degraded", "not_ready"]).meta({
      description: "degraded: every check answers, but a part runs without something (answered with 200)",
    }),
    checks: z.record(
      z.string(),
      z.strictObject({
        ok: z.boolean(),
        degraded: z.boolean().optional(),
        detail: z.union([z.string(), z.number(), z.record(z.string(), z.unknown())]).optional(),
      }),
    ),
  })
  .meta({
    id: "Readiness",
    description:
      "Each check by name: the event store, the queue, the processors, and what else the process needs",
  });
export type HealthResponse = z.infer<typeof healthResponseSchema>;
export type ReadinessResponse = z.infer<typeof readinessResponseSchema>;
