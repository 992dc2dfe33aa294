// GET /v1/admin/dead-letters: events a reactor or projector parked after its retries, newest first.
import { z } from "zod";
import { apiTimestampSchema } from "./apiTimestamp.ts";

export const deadLetterSchema = z
  .strictObject({
    id: z.string(),
    kind: z.enum(["reactor", "projector"]),
    processor: z.string(),
    position: z.int().min(0),
    event_id: z.string(),
    stream: z.string(),
    type: z.string(),
    error: z.string(),
    attempts: z.int().min(0),
    first_failed_at: apiTimestampSchema,
    last_failed_at: apiTimestampSchema,
    parked_at: apiTimestampSchema,
  })
  .meta({ id: "DeadLetter" });

export const listDeadLettersResponseSchema = z
  .strictObject({
    dead_letters: z.array(deadLetterSchema),
    pagination: z.strictObject({ total: z.int().min(0), limit: z.int(), offset: z.int() }),
  })
  .meta({ id: "DeadLetterList" });
export type ListDeadLettersResponse = z.infer<typeof listDeadLettersResponseSchema>;
