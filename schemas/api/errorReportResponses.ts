// Answers of the error-tracking API: the spec's error event fields.
import { z } from "zod";
import { errorSeveritySchema } from "../events/errorEvents.ts";
import { apiTimestampSchema } from "./apiTimestamp.ts";

export const errorReportSchema = z
  .strictObject({
    id: z.uuid(),
    source_component: z.string().meta({ description: "frontend, kernel, worker or plugin:<id>" }),
    severity: errorSeveritySchema,
    message: z.string(),
    stack_trace: z.string().nullable(),
    context_data: z.record(z.string(), z.unknown()),
    created_at: apiTimestampSchema,
    reported_by: z.string(),
    resolved: z.boolean(),
    resolved_at: apiTimestampSchema.nullable(),
    resolved_by: z.string().nullable(),
  })
  .meta({ id: "ErrorEvent" });

export type ErrorReport = z.infer<typeof errorReportSchema>;

export const listErrorsResponseSchema = z
  .strictObject({
    errors: z.array(errorReportSchema),
    pagination: z.strictObject({ total: z.int().min(0), limit: z.int(), offset: z.int() }),
  })
  .meta({ id: "ErrorEventList" });

export type ListErrorsResponse = z.infer<typeof listErrorsResponseSchema>;

export const errorReportedResponseSchema = z
  .strictObject({ id: z.uuid(), resolved: z.literal(false) })
  .meta({ id: "ErrorReported" });

export const errorResolvedResponseSchema = z
  .strictObject({ id: z.uuid(), resolved: z.literal(true) })
  .meta({ id: "ErrorResolved" });
