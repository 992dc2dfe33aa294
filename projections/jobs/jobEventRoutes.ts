// GET /v1/jobs/{id}/events: a job's own stream, oldest first, as the dashboard's timeline replays it.
// It reads the event log itself, not a read model, so the page can show the job as it was at any event;
// the data shown per event type is the live feed's, so this route reveals nothing the feed does not.
import { Hono } from "hono";
import type { EventStore } from "../../domain/ports/eventStore.ts";
import { ApiError } from "../../infra/http/apiError.ts";
import type { HttpEnv } from "../../infra/http/httpEnv.ts";
import { jobIdParam } from "../../infra/http/jobIdParam.ts";
import { requireRole } from "../../infra/http/requireRole.ts";
import { jobStream } from "../../schemas/events/streamNames.ts";
import { feedVisibility } from "../feed/feedVisibility.ts";
import { snakeCaseKeys } from "../feed/snakeCaseKeys.ts";

/** A job's stream holds a few events per task; this bounds one answer all the same. */
const MAX_EVENTS = 5_000;

export function jobEventRoutes(store: Pick<EventStore, "readStream">) {
  return new Hono<HttpEnv>().get("/v1/jobs/:id/events", requireRole("viewer"), async (c) => {
    const id = jobIdParam(c);
    const events = await store.readStream(jobStream.name(id), { maxCount: MAX_EVENTS });
    if (events.length === 0) throw new ApiError("WE-JOB-004", `No job exists with ID: ${id}`);
    return c.json({
      job_id: id,
      events: events.map((event) => {
        const actor = event.metadata.actor as { userId?: unknown } | undefined;
        const occurredAt = event.metadata.occurredAt;
        return {
          position: event.position,
          revision: event.revision,
          type: event.type,
          occurred_at: typeof occurredAt === "string" ? occurredAt : event.createdAt.toISOString(),
          actor: typeof actor?.userId === "string" ? actor.userId : null,
          data: snakeCaseKeys(feedVisibility.shownData(event) ?? null),
        };
      }),
    });
  });
}
