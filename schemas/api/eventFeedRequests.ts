// GET /v1/events/stream's query. Not strict: it may carry what the auth middleware reads (`ticket`).
import { z } from "zod";

export const eventFeedQuerySchema = z.object({
  ticket: z.string().optional().meta({
    description: "A ticket from POST /v1/events/ticket, for browsers that cannot send a bearer header",
  }),
  job: z
    .uuid({ error: "job must be a job id (UUID)" })
    .optional()
    .meta({ description: "Only this job's events and ticks" }),
  types: z.string().optional().meta({
    description: 'Event types separated by commas; "progress" for progress ticks, "stats" for job counts',
  }),
  from: z.enum(["start", "end"], { error: 'from must be "start" or "end"' }).optional(),
  last_event_id: z
    .string()
    .optional()
    .meta({ description: "Resume after this id (as the Last-Event-ID header)" }),
});
