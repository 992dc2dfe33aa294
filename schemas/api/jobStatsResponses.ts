// GET /v1/stats/jobs: the last hours of work in hourly buckets, for the dashboard's charts (jobs per
// hour, encode throughput); every bucket is present, empty ones with zeros.
import { z } from "zod";
import { apiTimestampSchema } from "./apiTimestamp.ts";

export const jobStatsQuerySchema = z.strictObject({
  hours: z.coerce.number().int().min(1).max(168).default(24).meta({
    description: "How many hours back, the current hour included (at most a week)",
  }),
});
export type JobStatsQuery = z.infer<typeof jobStatsQuerySchema>;

export const jobStatsResponseSchema = z
  .strictObject({
    hours: z.array(
      z.strictObject({
        hour: apiTimestampSchema.meta({ description: "Start of the hour" }),
        submitted: z.int().min(0),
        completed: z.int().min(0),
        failed: z.int().min(0),
        media_seconds: z
          .number()
          .min(0)
          .meta({ description: "Seconds of source video whose encode tasks finished in this hour" }),
        output_bytes: z.int().min(0).meta({ description: "Bytes those encode tasks wrote" }),
      }),
    ),
  })
  .meta({ id: "JobStats" });
export type JobStatsResponse = z.infer<typeof jobStatsResponseSchema>;
