// The stream API's answers: a created stream with its key and ingest URLs, the list (live first), one
// stream with its sessions and preview, its live stats with the sampled series, and telemetry frames.
import { z } from "zod";
import { apiTimestampSchema } from "./apiTimestamp.ts";

const uuid = z.string().meta({ format: "uuid" });

export const streamStatusSchema = z
  .enum(["idle", "live", "reconnecting"])
  .meta({ description: "live: a publisher is connected; reconnecting: it dropped, the window is open" });
export type StreamStatus = z.infer<typeof streamStatusSchema>;

export const ingestUrlsSchema = z
  .strictObject({
    rtmp: z.string().nullable().meta({ example: "rtmp://ingest.webencode.local:1935/live" }),
    srt: z
      .string()
      .nullable()
      .meta({ example: "srt://ingest.webencode.local:8890?streamid=publish:live_xxxxx" }),
  })
  .meta({
    id: "IngestUrls",
    description: "null for a protocol the ingest does not serve now (its port is taken: see /ready; SRT off)",
  });
export type IngestUrls = z.infer<typeof ingestUrlsSchema>;

/** A new key in clear: answered once, by create and rotate-key (and by GET /v1/streams/{id}/key). */
export const streamKeyResponseSchema = z
  .strictObject({
    id: uuid,
    stream_key: z.string().meta({ example: "live_xxxxx" }),
    ingest_url: z
      .string()
      .nullable()
      .meta({ description: "The RTMP server URL; the key is the stream name. null: no RTMP ingest now" }),
    ingest_urls: ingestUrlsSchema,
  })
  .meta({ id: "StreamKey" });
export type StreamKeyResponse = z.infer<typeof streamKeyResponseSchema>;

export const streamRecordingSchema = z
  .strictObject({
    object_key: z.string(),
    duration_seconds: z.number(),
    bytes: z.int(),
    segments: z.int(),
  })
  .meta({ id: "StreamRecording" });

export const streamSessionSchema = z
  .strictObject({
    id: uuid,
    status: z.enum(["live", "reconnecting", "ended"]),
    protocol: z.enum(["rtmp", "srt"]),
    remote_address: z.string(),
    /** Recorded (the stream had archive on when it began). */
    record: z.boolean(),
    started_at: apiTimestampSchema,
    ended_at: apiTimestampSchema.nullable(),
    end_reason: z.string().nullable(),
    duration_seconds: z.number().nullable(),
    end_requested: z.boolean(),
    interruptions: z.int().min(0),
    recording: streamRecordingSchema.nullable(),
    archive_job_id: uuid.nullable(),
  })
  .meta({ id: "StreamSession" });
export type StreamSession = z.infer<typeof streamSessionSchema>;

export const streamSummarySchema = z
  .strictObject({
    id: uuid,
    title: z.string(),
    description: z.string(),
    status: streamStatusSchema,
    archive_enabled: z.boolean(),
    key_hint: z
      .string()
      .meta({ description: "The key masked but for its last four characters", example: "live_…x9Qa" }),
    current_session_id: uuid.nullable(),
    /** When the current session began, else null. */
    started_at: apiTimestampSchema.nullable(),
    session_count: z.int().min(0),
    viewers: z.int().min(0).nullable(),
    created_at: apiTimestampSchema,
    last_activity_at: apiTimestampSchema,
  })
  .meta({ id: "StreamSummary" });
export type StreamSummary = z.infer<typeof streamSummarySchema>;

export const listStreamsResponseSchema = z
  .strictObject({ streams: z.array(streamSummarySchema) })
  .meta({ id: "StreamList" });
export type ListStreamsResponse = z.infer<typeof listStreamsResponseSchema>;

export const streamDetailSchema = z
  .strictObject({
    ...streamSummarySchema.shape,
    ingest_url: z.string().nullable(),
    ingest_urls: ingestUrlsSchema,
    current_session: streamSessionSchema.nullable(),
    /** Past sessions, newest first. */
    sessions: z.array(streamSessionSchema),
    preview_url: z
      .string()
      .nullable()
      .meta({ description: "A signed link to the live preview's HLS playlist while a session is open" }),
    updated_at: apiTimestampSchema,
  })
  .meta({ id: "Stream" });
export type StreamDetail = z.infer<typeof streamDetailSchema>;

export const streamHealthSchema = z
  .strictObject({
    verdict: z.enum(["excellent", "degraded", "poor", "offline"]),
    reason: z.string(),
  })
  .meta({ id: "StreamHealth" });
export type StreamHealth = z.infer<typeof streamHealthSchema>;

export const telemetrySampleSchema = z
  .strictObject({
    at: apiTimestampSchema,
    video_bitrate_kbps: z.number(),
    audio_bitrate_kbps: z.number(),
    fps: z.number(),
    dropped_frames: z.int(),
    viewers: z.int().nullable(),
  })
  .meta({ id: "TelemetrySample" });
export type TelemetrySample = z.infer<typeof telemetrySampleSchema>;

export const streamStatsResponseSchema = z
  .strictObject({
    status: streamStatusSchema,
    viewers: z.int().min(0),
    bitrate_kbps: z.number(),
    fps: z.number(),
    video_bitrate_kbps: z.number(),
    audio_bitrate_kbps: z.number(),
    keyframe_interval_seconds: z.number().nullable(),
    dropped_frames: z.int(),
    uptime_seconds: z.number(),
    width: z.int().nullable(),
    height: z.int().nullable(),
    video_codec: z.string().nullable(),
    audio_codec: z.string().nullable(),
    health: streamHealthSchema,
    /** When the latest figures were measured; null when none came in this session. */
    sampled_at: apiTimestampSchema.nullable(),
    /** Samples of the last ten minutes, one a second, oldest first. */
    series: z.array(telemetrySampleSchema),
  })
  .meta({ id: "StreamStats" });
export type StreamStatsResponse = z.infer<typeof streamStatsResponseSchema>;

/** The data of an SSE `event: telemetry` frame: one tick of a live stream, snake_case. */
export const telemetryFrameSchema = z
  .strictObject({
    stream_id: uuid,
    session_id: uuid,
    at: apiTimestampSchema,
    video_bitrate_kbps: z.number(),
    audio_bitrate_kbps: z.number(),
    fps: z.number(),
    keyframe_interval_seconds: z.number().nullable(),
    dropped_frames: z.int(),
    uptime_seconds: z.number(),
    width: z.int().nullable(),
    height: z.int().nullable(),
    video_codec: z.string().nullable(),
    audio_codec: z.string().nullable(),
    viewers: z.int().nullable(),
  })
  .meta({ id: "TelemetryFrame" });
export type TelemetryFrame = z.infer<typeof telemetryFrameSchema>;

/** What an edit, an end request or a deletion wrote. */
export const streamWrittenResponseSchema = z
  .strictObject({ id: uuid, status: streamStatusSchema })
  .meta({ id: "StreamWritten" });
export type StreamWrittenResponse = z.infer<typeof streamWrittenResponseSchema>;
