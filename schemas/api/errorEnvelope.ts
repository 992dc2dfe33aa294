// The one shape of every error answer, as the spec writes it: a WE-* code, what went wrong, what to do.
import { z } from "zod";
import { errorCodeSchema } from "../errors.ts";

export const errorEnvelopeSchema = z
  .strictObject({
    error: z.strictObject({
      code: errorCodeSchema,
      message: z.string().meta({ description: "The code's message in the catalog" }),
      details: z.string().meta({ description: "What exactly was wrong with this request" }),
      hint: z.string().meta({ description: "What to do about it" }),
      request_id: z.string(),
      timestamp: z.iso.datetime(),
      docs_url: z.url(),
    }),
  })
  .meta({
    id: "ErrorEnvelope",
    description: "An error, in the WE-* envelope",
    example: {
      error: {
        code: "WE-JOB-004",
        message: "Job not found",
        details: "No job exists with ID: 7d3c…",
        hint: "Check the job id",
        request_id: "req-5f0c…",
        timestamp: "2026-01-01T00:00:00.000Z",
        docs_url: "https://docs.webencode.io/errors/WE-JOB-004",
      },
    },
  });
export type ErrorEnvelope = z.infer<typeof errorEnvelopeSchema>;
