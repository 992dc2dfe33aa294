// The restream API's answers: the list, one restream with its destinations' state and live figures
// (bitrate, uptime and skips come from the process running it, not from the log), and what a command wrote.
import { z } from "zod";
import {
  destinationStateSchema,
  restreamPlatformSchema,
  restreamStopReasonSchema,
} from "../events/restreamEvents.ts";
import { apiTimestampSchema } from "./apiTimestamp.ts";
import { restreamScheduleConfigSchema } from "./restreamRequests.ts";

export const restreamStatusSchema = z
  .enum(["streaming", "stopped", "error"])
  .meta({ description: "streaming: a run is on; error: the last run failed" });
export type RestreamStatus = z.infer<typeof restreamStatusSchema>;

const revision = z
  .int()
  .min(0)
  .meta({ description: "The revision of the restream's stream; send it back with PUT" });

export const restreamDestinationViewSchema = z
  .strictObject({
    id: z.uuid(),
    platform: restreamPlatformSchema,
    url: z.string().meta({
      description: "The stream key masked but for its last four characters",
      example: "rtmp://a.rtmp.youtube.com/live2/••••abcd",
    }),
    enabled: z.boolean(),
    transcode: z
      .strictObject({ video_bitrate_kbps: z.int(), audio_bitrate_kbps: z.int() })
      .nullable()
      .meta({ description: "The re-encode this destination takes; null: stream copy" }),
    status: destinationStateSchema,
    bitrate_kbps: z
      .number()
      .nullable()
      .meta({ description: "Sent to the destination lately; null when not live" }),
    uptime_seconds: z
      .number()
      .nullable()
      .meta({ description: "Since it last went live; null when not live" }),
    skips: z.int().min(0).nullable().meta({
      description:
        "How many times in this run it fell so far behind that what waited for it was dropped and it went on from the next keyframe; null when no run is on",
    }),
    error_count: z.int().min(0),
    last_error: z.string().nullable(),
  })
  .meta({ id: "RestreamDestination" });
export type RestreamDestinationView = z.infer<typeof restreamDestinationViewSchema>;

export const restreamSummarySchema = z
  .strictObject({
    id: z.uuid(),
    title: z.string(),
    status: restreamStatusSchema,
    input_type: z.enum(["rtmp", "file", "vod_job"]),
    schedule_type: z.enum(["immediate", "scheduled", "recurring"]),
    destination_count: z.int().min(0),
    live_destinations: z.int().min(0),
    started_at: apiTimestampSchema.nullable(),
    created_at: apiTimestampSchema,
    updated_at: apiTimestampSchema,
  })
  .meta({ id: "RestreamSummary" });
export type RestreamSummary = z.infer<typeof restreamSummarySchema>;

export const listRestreamsResponseSchema = z
  .strictObject({ restreams: z.array(restreamSummarySchema) })
  .meta({ id: "RestreamList" });
export type ListRestreamsResponse = z.infer<typeof listRestreamsResponseSchema>;

export const restreamDetailSchema = z
  .strictObject({
    id: z.uuid(),
    title: z.string(),
    description: z.string(),
    input_type: z.enum(["rtmp", "file", "vod_job"]),
    stream_id: z.uuid().nullable(),
    input_url: z.string().nullable(),
    job_id: z.uuid().nullable(),
    output_key: z.string().nullable(),
    output_destinations: z.array(restreamDestinationViewSchema),
    schedule_type: z.enum(["immediate", "scheduled", "recurring"]),
    schedule_config: restreamScheduleConfigSchema,
    loop_enabled: z.boolean(),
    simulate_live: z.boolean(),
    status: restreamStatusSchema,
    run_id: z.uuid().nullable().meta({ description: "The current run, else the last one" }),
    started_at: apiTimestampSchema.nullable(),
    stopped_at: apiTimestampSchema.nullable(),
    stop_reason: restreamStopReasonSchema.nullable(),
    last_error: z.string().nullable(),
    uptime_seconds: z.number().nullable().meta({ description: "Of the current run; null when stopped" }),
    revision,
    created_at: apiTimestampSchema,
    updated_at: apiTimestampSchema,
  })
  .meta({ id: "Restream" });
export type RestreamDetail = z.infer<typeof restreamDetailSchema>;

export const restreamWrittenResponseSchema = z
  .strictObject({ id: z.uuid(), revision, status: restreamStatusSchema })
  .meta({ id: "RestreamWritten" });
export type RestreamWrittenResponse = z.infer<typeof restreamWrittenResponseSchema>;
