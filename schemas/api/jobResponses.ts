// Answers of the job API (snake_case, as on the wire).
import { z } from "zod";
import { outputTypeSchema } from "../events/jobEvents.ts";
import { apiTimestampSchema } from "./apiTimestamp.ts";
import { jobStatusSchema } from "./jobRequests.ts";

const jobId = z.uuid();

export const jobCreatedResponseSchema = z
  .strictObject({ id: jobId, status: z.literal("queued"), eta_seconds: z.number().nullable() })
  .meta({ id: "JobCreated", description: "The job, queued" });

export const jobCancelledResponseSchema = z
  .strictObject({ id: jobId, status: z.literal("cancelled") })
  .meta({ id: "JobCancelled" });

export const jobRetriedResponseSchema = z
  .strictObject({
    id: jobId,
    source_url: z.string(),
    profile: z.string(),
    status: z.literal("queued"),
    retry_of: jobId,
    eta_seconds: z.number().nullable(),
  })
  .meta({ id: "JobRetried", description: "The new job that repeats the old one" });

export const jobSchema = z
  .strictObject({
    id: jobId,
    user_id: z.string(),
    status: jobStatusSchema,
    source_type: z.enum(["url", "upload", "stream", "restream"]),
    source_url: z.string(),
    profile: z.string(),
    progress_pct: z.number().min(0).max(100),
    tasks_total: z.int().min(0),
    tasks_completed: z.int().min(0),
    eta_seconds: z.number().nullable(),
    waiting_for_worker: z
      .boolean()
      .meta({ description: "Planned work is queued and no encode worker is online to take it" }),
    fps: z.number().nullable(),
    speed: z.number().nullable(),
    error: z.strictObject({ code: z.string(), message: z.string() }).nullable(),
    assigned_worker_id: z.string().nullable(),
    retry_of: jobId.nullable(),
    retried_as: jobId.nullable(),
    prefer_gpu: z
      .boolean()
      .nullable()
      .meta({ description: "prefer_gpu as submitted; null when the profile's hardware mode decides" }),
    source_info: z
      .record(z.string(), z.unknown())
      .nullable()
      .meta({ description: "What probing the source found; null until it is probed" }),
    created_at: apiTimestampSchema,
    updated_at: apiTimestampSchema,
    started_at: apiTimestampSchema.nullable(),
    finished_at: apiTimestampSchema.nullable(),
  })
  .meta({ id: "Job" });

export const listJobsResponseSchema = z
  .strictObject({
    jobs: z.array(jobSchema),
    pagination: z.strictObject({ total: z.int().min(0), limit: z.int(), offset: z.int() }),
  })
  .meta({ id: "JobList" });

const taskAttemptSchema = z.strictObject({
  attempt: z.int().min(1),
  status: z.string(),
  worker_id: z.string().nullable(),
  started_at: apiTimestampSchema.nullable(),
  finished_at: apiTimestampSchema.nullable(),
  exit_class: z.string().nullable(),
  error_message: z.string().nullable(),
  stderr_tail: z.string().nullable(),
});

const stitchSchema = z
  .strictObject({
    frame_count: z.int().min(1),
    mean_ssim: z.number().nullable(),
    worst_seam_delta: z.number().nullable(),
    seams: z.array(
      z.strictObject({
        index: z.int().min(1),
        time_sec: z.number().min(0),
        ssim: z.number(),
        delta: z.number().meta({ description: "This seam's SSIM minus the job's mean SSIM" }),
      }),
    ),
    seams_unmeasured: z.string().nullable(),
  })
  .meta({ id: "StitchReport", description: "A split job's verified stitch and the SSIM of each seam" });

const jobTaskSchema = z.strictObject({
  id: z.string(),
  kind: z.enum(["video", "audio", "stitch", "thumbnails", "subtitles", "package"]).meta({
    description:
      "video: the whole source or one chunk (of a rendition); audio: every audio track, once; stitch: a rendition's chunks joined; thumbnails, subtitles; package: the HLS/DASH package of the ladder",
  }),
  rendition: z.string().nullable().meta({
    description:
      "The ladder tier a video or stitch task belongs to, e.g. 720p; null for a job of one rendition",
  }),
  renditions: z.array(z.string()).meta({
    description:
      "The ladder tiers a video task makes at once from one decode of its range, e.g. [1080p, 720p, 480p]; empty for any other task",
  }),
  sequence_index: z.int().min(0),
  start_time_sec: z.number(),
  end_time_sec: z.number(),
  status: z.string(),
  attempt: z.int().min(0),
  max_attempts: z.int().min(0),
  worker_id: z.string().nullable(),
  progress_pct: z.number().min(0).max(100),
  not_before: apiTimestampSchema.nullable(),
  output_size_bytes: z.number().nullable(),
  stitch: stitchSchema.nullable().meta({
    description:
      "A stitch task's proof and seam figures, each rendition of a ladder its own; null for any other task",
  }),
  attempts: z.array(taskAttemptSchema),
});

/** A stored output as the job's event recorded it (its keys are the event's, camelCase). */
const storedOutputSchema = z.strictObject({
  name: z.string(),
  type: outputTypeSchema,
  key: z.string(),
  sizeBytes: z.int().min(0),
  checksum: z.string(),
  profile: z.string(),
});

export const jobDetailSchema = jobSchema
  .extend({
    outputs: z.array(storedOutputSchema),
    stitch: stitchSchema.nullable().meta({
      description:
        "The job's stitch: its one stitch, or for a ladder the stitch with the worst seam (each stitch task has its own)",
    }),
    tasks: z.array(jobTaskSchema),
    timeline: z.array(
      z.strictObject({
        position: z.int().min(0),
        type: z.string(),
        occurred_at: apiTimestampSchema,
        summary: z.string(),
        actor: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: "JobDetail", description: "A job with its tasks, attempts, outputs and timeline" });

export const jobOutputsResponseSchema = z
  .strictObject({
    job_id: jobId,
    status: jobStatusSchema,
    outputs: z.array(
      z.strictObject({
        name: z.string(),
        type: outputTypeSchema.meta({
          description:
            "final: the one progressive file; manifest: HLS master or DASH MPD; rendition: a ladder tier (its playlist, or its file when not packaged); thumbnail (the poster first); storyboard: the seek-preview WebVTT and its sprites; subtitle: WebVTT or SRT",
        }),
        url: z.string().meta({ description: "The output's key in storage" }),
        download_url: z.url().meta({
          description:
            "Signed and expiring; Range requests supported. A package's files are kernel playback links whose grant is in the path, so a player plays a manifest's URL as it is",
        }),
        expires_at: apiTimestampSchema,
        profile: z.string(),
        size_bytes: z.int().min(0),
        checksum: z.string(),
      }),
    ),
  })
  .meta({ id: "JobOutputs" });

export type JobCreatedResponse = z.infer<typeof jobCreatedResponseSchema>;
export type JobCancelledResponse = z.infer<typeof jobCancelledResponseSchema>;
export type JobRetriedResponse = z.infer<typeof jobRetriedResponseSchema>;

export const jobEventsResponseSchema = z
  .strictObject({
    job_id: z.uuid(),
    events: z.array(
      z.strictObject({
        position: z.int().min(1),
        revision: z.int().min(0),
        type: z.string(),
        occurred_at: z.string(),
        actor: z.string().nullable(),
        data: z.record(z.string(), z.unknown()).nullable(),
      }),
    ),
  })
  .meta({ id: "JobEvents", description: "A job's own events, oldest first, as the feed shows them" });
export type JobEventsResponse = z.infer<typeof jobEventsResponseSchema>;
export type Job = z.infer<typeof jobSchema>;
export type ListJobsResponse = z.infer<typeof listJobsResponseSchema>;
export type JobDetail = z.infer<typeof jobDetailSchema>;
export type JobOutputsResponse = z.infer<typeof jobOutputsResponseSchema>;
