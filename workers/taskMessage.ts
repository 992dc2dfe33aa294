// The work-queue message of one task attempt, as the dispatcher publishes it and workers read it.
// snake_case like every payload that leaves the process.
import { z } from "zod";

export const taskMessageSchema = z.object({
  job_id: z.uuid(),
  task_id: z.uuid(),
  attempt: z.number().int().positive(),
  /** The job's correlation id, so the worker's events join the request that started the job. */
  correlation_id: z.uuid().optional(),
  /** Workers that should leave this attempt to another (an earlier attempt ran out of memory there). */
  avoid_workers: z.array(z.string().min(1)).optional(),
});

export type TaskMessage = z.infer<typeof taskMessageSchema>;
