// What the feed writes: stored events (resumable, id = checkpoint), progress ticks (no id, by design),
// job counts, resume points, heartbeats and the final error, each as SSE text with snake_case JSON.
import type { RecordedEvent } from "../../domain/ports/eventStore.ts";
import type { ProgressTick } from "../../domain/ports/progressBus.ts";
import { parseStoredEvent } from "../../schemas/events/parseStoredEvent.ts";
import type { FeedStatsSnapshot } from "./feedStats.ts";
import { snakeCaseKeys } from "./snakeCaseKeys.ts";
import { sseComment, sseFrame } from "./sseFrame.ts";

const jobStreamPrefix = "job-";

function occurredAt(event: RecordedEvent): string {
  const stamped = event.metadata.occurredAt;
  return typeof stamped === "string" ? stamped : event.createdAt.toISOString();
}

/** The event's data in the current schema version; as stored when it is not a job event this build reads. */
function currentData(event: RecordedEvent): unknown {
  const parsed = parseStoredEvent(event);
  return parsed._tag === "Parsed" ? parsed.event.data : event.data;
}

export const feedFrames = {
  event(event: RecordedEvent): string {
    return sseFrame({
      event: event.type,
      id: event.checkpoint,
      data: {
        type: event.type,
        stream_id: event.streamId,
        ...(event.streamId.startsWith(jobStreamPrefix)
          ? { job_id: event.streamId.slice(jobStreamPrefix.length) }
          : {}),
        position: event.position,
        occurred_at: occurredAt(event),
        data: snakeCaseKeys(currentData(event)),
      },
    });
  },

  progress(tick: ProgressTick): string {
    return sseFrame({
      event: "progress",
      data: {
        job_id: tick.jobId,
        task_id: tick.taskId,
        attempt: tick.attempt,
        pct: tick.pct,
        fps: tick.fps,
        speed: tick.speed,
        eta_seconds: tick.etaSeconds,
        out_time_sec: tick.outTimeSec,
        at: tick.at,
      },
    });
  },

  stats: (snapshot: FeedStatsSnapshot): string =>
    sseFrame({ event: "stats", data: { jobs_by_status: snapshot.counts, at: snapshot.at } }),

  /** Everything up to `checkpoint` was sent or filtered out: a client that reconnects resumes after it. */
  resumePoint: (checkpoint: string): string => sseFrame({ id: checkpoint }),

  error: (body: unknown): string => sseFrame({ event: "error", data: body }),

  ping: (): string => sseComment("ping"),
};
