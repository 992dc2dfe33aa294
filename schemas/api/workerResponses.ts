// GET /v1/workers and /v1/workers/{id}: workers with their proven capabilities, whether they drain, and
// how long ago they were last heard from, whether they are quarantined; POST …/drain, …/undrain,
// …/unquarantine and DELETE answer with the new state.
import { z } from "zod";
import { apiTimestampSchema } from "./apiTimestamp.ts";

export const workerSchema = z
  .strictObject({
    id: z.string(),
    hostname: z.string(),
    pid: z.int(),
    status: z.enum(["online", "stopped", "lost"]).meta({ description: "online, or how it went away" }),
    draining: z.boolean().meta({ description: "Finishes what it holds and takes nothing new" }),
    capabilities: z.strictObject({
      encoders: z.array(z.strictObject({ name: z.string(), codec: z.string(), hardware: z.boolean() })),
      hwaccels: z.array(z.string()),
      audio_codecs: z.array(z.string()),
      containers: z.array(z.string()),
      cpu_cores: z.int().positive().nullable(),
      memory_bytes: z.int().positive().nullable(),
      gpus: z.array(z.strictObject({ vendor: z.string(), model: z.string() })),
      max_parallel_tasks: z.int().positive(),
      version: z.string().nullable(),
    }),
    started_at: apiTimestampSchema,
    stopped_at: apiTimestampSchema.nullable(),
    stop_reason: z.string().nullable(),
    lost_at: apiTimestampSchema.nullable(),
    last_seen_at: apiTimestampSchema,
    heartbeat_age_seconds: z.int().min(0),
    current_task: z
      .strictObject({ job_id: z.uuid(), task_id: z.string(), progress_pct: z.int().min(0).max(100) })
      .nullable(),
    quarantined: z
      .strictObject({
        reason: z.string(),
        exit_class: z.string().meta({ description: "The class its failures in a row shared" }),
        since: apiTimestampSchema,
      })
      .nullable()
      .meta({
        description:
          "Failed too many task attempts in a row: takes no new work until POST /v1/workers/{id}/unquarantine",
      }),
  })
  .meta({ id: "Worker" });

export const listWorkersResponseSchema = z
  .strictObject({ workers: z.array(workerSchema), online: z.int().min(0) })
  .meta({ id: "WorkerList" });
export type ListWorkersResponse = z.infer<typeof listWorkersResponseSchema>;

export const workerDetailSchema = workerSchema
  .extend({
    running_tasks: z.array(
      z.strictObject({
        job_id: z.uuid(),
        task_id: z.uuid(),
        attempt: z.int().positive(),
        started_at: apiTimestampSchema.nullable(),
      }),
    ),
    tasks_done: z.int().min(0),
    mean_task_seconds: z.number().min(0).nullable(),
    recent_errors: z.array(
      z.strictObject({
        job_id: z.uuid(),
        task_id: z.uuid(),
        attempt: z.int().positive(),
        exit_class: z.string().nullable(),
        message: z.string().nullable(),
        at: apiTimestampSchema.nullable(),
      }),
    ),
  })
  .meta({ id: "WorkerDetail" });
export type WorkerDetail = z.infer<typeof workerDetailSchema>;

export const workerStateResponseSchema = z
  .strictObject({
    id: z.string(),
    status: z.enum(["online", "stopped", "lost", "removed"]),
    draining: z.boolean(),
    quarantined: z.boolean(),
  })
  .meta({ id: "WorkerState" });
export type WorkerStateResponse = z.infer<typeof workerStateResponseSchema>;

export const workerIdParamsSchema = z.strictObject({
  id: z.string().meta({ description: "A worker id, as GET /v1/workers lists it" }),
});
