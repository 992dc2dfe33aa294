// Bodies and query strings of the error-tracking API (snake_case, as on the wire).
import { z } from "zod";
import {
  errorSeveritySchema,
  errorSourceSchema,
  MAX_ERROR_MESSAGE,
  MAX_STACK_TRACE,
} from "../events/errorEvents.ts";

/** The most bytes a report may take: a message, a stack trace and some context, never a page dump. */
export const MAX_ERROR_REPORT_BYTES = 32 * 1024;

export const reportErrorRequestSchema = z
  .strictObject({
    // the kernel and workers report from the inside: over HTTP come the dashboard and plugins
    source_component: z
      .union([z.literal("frontend"), errorSourceSchema.options[1]])
      .default("frontend")
      .meta({ description: '"frontend", or "plugin:<id>" for a plugin' }),
    severity: errorSeveritySchema.default("error"),
    message: z.string().trim().min(1, "message is required").max(MAX_ERROR_MESSAGE),
    stack_trace: z.string().max(MAX_STACK_TRACE).optional(),
    // the body is JSON, so every value is: z.json() would send the document generator round in circles
    context_data: z.record(z.string(), z.unknown()).default({}),
  })
  .meta({ id: "ErrorReport" });

export type ReportErrorRequest = z.infer<typeof reportErrorRequestSchema>;

export const listErrorsQuerySchema = z.strictObject({
  severity: errorSeveritySchema.optional(),
  source: errorSourceSchema.optional(),
  resolved: z.enum(["true", "false"]).optional(),
  /** Matches any part of the message, case-insensitively. */
  q: z.string().trim().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  min_position: z.coerce.number().int().min(0).optional(),
});

export type ListErrorsQuery = z.infer<typeof listErrorsQuerySchema>;
