// POST /v1/restreams and PUT /v1/restreams/{id}: the whole document, snake_case, in the spec's names
// (`input_type`, `output_destinations`, `schedule_type`, `schedule_config`, `loop_enabled`, `simulate_live`).
import { z } from "zod";
import { restreamPlatformSchema } from "../events/restreamEvents.ts";

export const restreamTranscodeRequestSchema = z
  .strictObject({
    video_bitrate_kbps: z.int().min(100).max(50_000).meta({ example: 2500 }),
    audio_bitrate_kbps: z.int().min(32).max(512).default(128),
  })
  .meta({
    id: "RestreamTranscode",
    description:
      "Re-encode for this destination (H.264 and AAC at these rates, a keyframe every 2 s) instead of the stream copy: a platform with a bitrate cap, or an input codec it does not take",
  });

export const restreamDestinationRequestSchema = z
  .strictObject({
    id: z.uuid().optional().meta({
      description: "A destination of this restream to keep; without `url` its stored URL is kept",
    }),
    platform: restreamPlatformSchema.default("custom"),
    url: z.string().min(1).max(2048).optional().meta({
      description: "rtmp://, rtmps:// or srt:// with the stream key; required for a new destination",
      example: "rtmp://a.rtmp.youtube.com/live2/xxxx-xxxx-xxxx-abcd",
    }),
    enabled: z.boolean().default(true),
    transcode: restreamTranscodeRequestSchema.optional(),
  })
  .meta({ id: "RestreamDestinationRequest" });
export type RestreamDestinationRequest = z.infer<typeof restreamDestinationRequestSchema>;

export const restreamScheduleConfigSchema = z
  .strictObject({
    start_at: z.iso.datetime({ offset: true }).optional().meta({ description: "schedule_type scheduled" }),
    cron: z.string().min(1).max(200).optional().meta({
      description: "schedule_type recurring: five or six fields",
      example: "0 20 * * 5",
    }),
    timezone: z.string().min(1).max(100).optional().meta({ example: "Europe/Paris" }),
    duration_seconds: z.int().positive().optional().meta({
      description: "recurring: how long each occurrence runs (else until the input ends or a stop)",
    }),
  })
  .meta({ id: "RestreamScheduleConfig" });
export type RestreamScheduleConfig = z.infer<typeof restreamScheduleConfigSchema>;

const restreamDocumentShape = {
  title: z.string().min(1).max(255),
  description: z.string().max(10_000).default(""),
  input_type: z.enum(["rtmp", "file", "vod_job"]),
  stream_id: z.uuid().optional().meta({ description: "input_type rtmp: one of our live streams" }),
  input_url: z.string().min(1).max(2048).optional().meta({
    description: "input_type file: a storage URL",
    example: "fs://media/loop.mp4",
  }),
  job_id: z.uuid().optional().meta({ description: "input_type vod_job: a completed job" }),
  output_key: z.string().min(1).optional().meta({ description: "input_type vod_job: which output" }),
  output_destinations: z.array(restreamDestinationRequestSchema).min(1).max(20),
  schedule_type: z.enum(["immediate", "scheduled", "recurring"]).default("immediate").meta({
    description: "immediate: starts when created; scheduled: at schedule_config.start_at; recurring: on cron",
  }),
  schedule_config: restreamScheduleConfigSchema.default({}),
  loop_enabled: z.boolean().default(false),
  simulate_live: z.boolean().default(true).meta({ description: "Files: send at the media's own pace" }),
};

export const createRestreamRequestSchema = z
  .strictObject(restreamDocumentShape)
  .meta({ id: "CreateRestreamRequest" });
export type CreateRestreamRequest = z.infer<typeof createRestreamRequestSchema>;

export const updateRestreamRequestSchema = z
  .strictObject({
    ...restreamDocumentShape,
    revision: z.int().min(0).optional().meta({
      description:
        "The revision read (GET /v1/restreams/{id}); when the restream changed since, 409 WE-STR-012",
    }),
  })
  .meta({ id: "UpdateRestreamRequest" });
export type UpdateRestreamRequest = z.infer<typeof updateRestreamRequestSchema>;

export const listRestreamsQuerySchema = z.strictObject({
  status: z.enum(["streaming", "stopped", "error"]).optional(),
  min_position: z.coerce.number().int().min(0).optional(),
});
export type ListRestreamsQuery = z.infer<typeof listRestreamsQuerySchema>;
