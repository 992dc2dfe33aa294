// The feed's filters, from the query string and the Last-Event-ID header; a bad one is WE-JOB-001.
import { z } from "zod";
import { ApiError } from "../../infra/http/apiError.ts";
import { eventFeedQuerySchema } from "../../schemas/api/eventFeedRequests.ts";

export interface FeedQuery {
  /** Only this job's events and ticks. */
  jobId?: string;
  /** Only these stored event types; absent: all. */
  eventTypes?: readonly string[];
  /** Whether progress ticks are sent (no `types`, or `types` naming `progress`). */
  progress: boolean;
  /** Whether job counts are sent (no `types` and no `job`, or `types` naming `stats`). */
  stats: boolean;
  /** Whether live streams' telemetry is sent (no `types` and no `job`, or `types` naming `telemetry`). */
  telemetry: boolean;
  /** A checkpoint to resume after, or where a fresh connection starts. */
  from: string | "start" | "end";
}

/** Pseudo-types in `types=`: what the feed sends besides stored events. */
const progressType = "progress";
const statsType = "stats";
const telemetryType = "telemetry";
const pseudoTypes: readonly string[] = [progressType, statsType, telemetryType];

const checkpointSchema = z
  .string()
  .max(200, "the last event id is too long")
  .regex(/^[\x21-\x7e]+$/, "the last event id must be printable ASCII without spaces");

export function parseFeedQuery(
  query: Record<string, string>,
  lastEventIdHeader: string | undefined,
  knownEventTypes: readonly string[],
): FeedQuery {
  const parsed = eventFeedQuerySchema.safeParse(query);
  if (!parsed.success) {
    throw new ApiError("WE-JOB-001", parsed.error.issues.map((issue) => issue.message).join("; "));
  }
  const { job, types, from, last_event_id: lastEventIdQuery } = parsed.data;

  let eventTypes: string[] | undefined;
  let progress = true;
  let stats = job === undefined;
  let telemetry = job === undefined;
  if (types !== undefined) {
    const named = [...new Set(types.split(",").map((type) => type.trim()))];
    const unknown = named.filter((type) => !pseudoTypes.includes(type) && !knownEventTypes.includes(type));
    if (named.includes("") || unknown.length > 0) {
      const shown = unknown.filter((type) => type !== "");
      throw new ApiError(
        "WE-JOB-001",
        shown.length > 0 ? `unknown event type: ${shown.join(", ")}` : "types must not hold an empty name",
        {
          hint: `Name event types separated by commas; "${progressType}" for progress ticks, "${statsType}" for job counts, "${telemetryType}" for live streams' figures`,
        },
      );
    }
    progress = named.includes(progressType);
    stats = named.includes(statsType);
    telemetry = named.includes(telemetryType);
    eventTypes = named.filter((type) => !pseudoTypes.includes(type));
  }

  // An EventSource resends its first URL with the newer id in the header, so the header wins.
  const resume = lastEventIdHeader?.trim() || lastEventIdQuery?.trim() || undefined;
  if (resume !== undefined) {
    const checked = checkpointSchema.safeParse(resume);
    if (!checked.success)
      throw new ApiError("WE-JOB-001", checked.error.issues[0]?.message ?? "bad last event id");
  }

  return {
    ...(job === undefined ? {} : { jobId: job }),
    ...(eventTypes === undefined ? {} : { eventTypes }),
    progress,
    stats,
    telemetry,
    from: resume ?? from ?? "end",
  };
}
