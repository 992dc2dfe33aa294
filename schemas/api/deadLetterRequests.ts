// GET /v1/admin/dead-letters: one page of the events reactors and projectors gave up on, newest first.
import { z } from "zod";

export const listDeadLettersQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
