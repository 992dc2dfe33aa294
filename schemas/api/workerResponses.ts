// GET /v1/workers: every worker with its proven encoders and how long ago it was last heard from.
import { z } from "zod";
import { apiTimestampSchema } from "./apiTimestamp.ts";

export const workerSchema = z
  .strictObject({
    id: z.string(),
    hostname: z.string(),
    pid: z.int(),
    status: z.string().meta({ description: "online, or how it went away" }),
    capabilities: z.strictObject({
      encoders: z.array(z.strictObject({ name: z.string(), codec: z.string(), hardware: z.boolean() })),
      hwaccels: z.array(z.string()),
    }),
    started_at: apiTimestampSchema,
    stopped_at: apiTimestampSchema.nullable(),
    stop_reason: z.string().nullable(),
    last_seen_at: apiTimestampSchema,
    heartbeat_age_seconds: z.int().min(0),
    current_task: z
      .strictObject({ job_id: z.uuid(), task_id: z.string(), progress_pct: z.int().min(0).max(100) })
      .nullable(),
  })
  .meta({ id: "Worker" });

export const listWorkersResponseSchema = z
  .strictObject({ workers: z.array(workerSchema), online: z.int().min(0) })
  .meta({ id: "WorkerList" });
export type ListWorkersResponse = z.infer<typeof listWorkersResponseSchema>;
