// What the feed writes: stored events (resumable, id = checkpoint), progress ticks (no id, by design),
// job counts, resume points, heartbeats and the final error, each as SSE text with snake_case JSON.
import type { RecordedEvent } from "../../domain/ports/eventStore.ts";
import type { LiveTelemetryTick } from "../../domain/ports/liveSessions.ts";
import type { ProgressTick } from "../../domain/ports/progressBus.ts";
import type { TelemetryFrame } from "../../schemas/api/streamResponses.ts";
import { jobStream } from "../../schemas/events/streamNames.ts";
import type { FeedStatsSnapshot } from "./feedStats.ts";
import { feedVisibility } from "./feedVisibility.ts";
import { snakeCaseKeys } from "./snakeCaseKeys.ts";
import { sseComment, sseFrame } from "./sseFrame.ts";

function occurredAt(event: RecordedEvent): string {
  const stamped = event.metadata.occurredAt;
  return typeof stamped === "string" ? stamped : event.createdAt.toISOString();
}

// One event fanned out to thousands of clients is rendered and encoded once, and its bytes shared.
const rendered = new WeakMap<RecordedEvent, Buffer>();
const renderedTelemetry = new WeakMap<LiveTelemetryTick, Buffer>();

/** A telemetry tick as the feed and the stats route show it. */
export const telemetryFrame = (tick: LiveTelemetryTick): TelemetryFrame => ({
  stream_id: tick.streamId,
  session_id: tick.sessionId,
  at: tick.at,
  video_bitrate_kbps: tick.videoBitrateKbps,
  audio_bitrate_kbps: tick.audioBitrateKbps,
  fps: tick.fps,
  keyframe_interval_seconds: tick.keyframeIntervalSeconds,
  dropped_frames: tick.droppedFrames,
  uptime_seconds: tick.uptimeSeconds,
  width: tick.width,
  height: tick.height,
  video_codec: tick.videoCodec,
  audio_codec: tick.audioCodec,
  viewers: tick.viewers,
});

function renderEvent(event: RecordedEvent): string {
  return sseFrame({
    event: event.type,
    id: event.checkpoint,
    data: {
      type: event.type,
      stream_id: event.streamId,
      ...(jobStream.matches(event.streamId) ? { job_id: jobStream.idOf(event.streamId) } : {}),
      position: event.position,
      occurred_at: occurredAt(event),
      data: snakeCaseKeys(feedVisibility.shownData(event) ?? null),
    },
  });
}

export const feedFrames = {
  /** A stored event as the feed shows it to whoever may read its stream. */
  event(event: RecordedEvent): Buffer {
    let frame = rendered.get(event);
    if (frame === undefined) {
      frame = Buffer.from(renderEvent(event));
      rendered.set(event, frame);
    }
    return frame;
  },

  /** A progress tick, sent to every client following its job: encoded once, its bytes shared. */
  progress: (tick: ProgressTick): Buffer =>
    Buffer.from(
      sseFrame({
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
      }),
    ),

  /** A live stream's figures, about once a second: no id (not resumable), rendered once for every client. */
  telemetry(tick: LiveTelemetryTick): Buffer {
    let frame = renderedTelemetry.get(tick);
    if (frame === undefined) {
      frame = Buffer.from(sseFrame({ event: "telemetry", data: telemetryFrame(tick) }));
      renderedTelemetry.set(tick, frame);
    }
    return frame;
  },

  stats: (snapshot: FeedStatsSnapshot): string =>
    sseFrame({ event: "stats", data: { jobs_by_status: snapshot.counts, at: snapshot.at } }),

  /** Everything up to `checkpoint` was sent or filtered out: a client that reconnects resumes after it. */
  resumePoint: (checkpoint: string): string => sseFrame({ id: checkpoint }),

  error: (body: unknown): string => sseFrame({ event: "error", data: body }),

  ping: (): string => sseComment("ping"),
};
