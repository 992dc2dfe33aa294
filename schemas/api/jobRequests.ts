// Bodies and query strings of the job API (snake_case, as on the wire).
import { z } from "zod";

export const submitJobRequestSchema = z.strictObject({
  source_url: z.string().min(1, "source_url is required").max(4096),
  profile: z.string().min(1, "profile is required").max(100),
  /** Publishing and webhooks arrive with their own capability; until then they are refused, not ignored. */
  publish: z.unknown().optional(),
  webhooks: z.unknown().optional(),
  prefer_gpu: z.boolean().optional().meta({
    description:
      "Encode on a GPU when the worker has proven one for the codec (true), or in software (false); absent, the profile decides. A GPU encode that fails falls back to software",
  }),
});

export type SubmitJobRequest = z.infer<typeof submitJobRequestSchema>;

export const jobStatusSchema = z.enum([
  "queued",
  "processing",
  "stitching",
  "uploading",
  "completed",
  "failed",
  "cancelled",
]);

export const listJobsQuerySchema = z.strictObject({
  status: jobStatusSchema.optional(),
  source_type: z.enum(["url", "upload", "stream", "restream"]).optional(),
  /** Matches the start of a job id or any part of its source URL, case-insensitively. */
  q: z.string().trim().min(1).max(200).optional(),
  sort: z
    .enum([
      "created_at",
      "-created_at",
      "updated_at",
      "-updated_at",
      "status",
      "-status",
      "progress",
      "-progress",
    ])
    .default("-created_at")
    .meta({
      description:
        "A leading - sorts descending. status follows a job's life (queued … cancelled); progress is the stored milestone; ties go newest first",
    }),
  /** Created at or after this instant. */
  from: z.iso.datetime({ offset: true }).optional().meta({ description: "Created at or after this instant" }),
  /** Created before this instant. */
  to: z.iso.datetime({ offset: true }).optional().meta({ description: "Created before this instant" }),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  min_position: z.coerce.number().int().min(0).optional(),
});

export type ListJobsQuery = z.infer<typeof listJobsQuerySchema>;

export const cancelJobRequestSchema = z.strictObject({ reason: z.string().max(500).optional() });

/** Read-your-writes on a query: wait (≤ 2 s) for the read models to reach a command's position. */
export const minPositionQuerySchema = z.strictObject({
  min_position: z.coerce.number().int().min(0).optional().meta({
    description:
      "X-WebEncode-Position of a command: wait up to 2 s for it, else answer with X-WebEncode-Stale: true",
  }),
});
