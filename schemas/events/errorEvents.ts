// The events of an `error-{id}` stream: an error reported by the browser, a plugin, the kernel or a
// worker, and perhaps resolved by an operator. The spec's `error_events` read model is folded from them.
import { z } from "zod";
import { type ParsedEvent, parseEventWithoutUpcasters } from "./parseEventWithoutUpcasters.ts";

export const errorIdSchema = z.uuid();

/** Who reported it: the dashboard, the kernel, a worker process, or a plugin by its id. */
export const errorSourceSchema = z.union([
  z.enum(["frontend", "kernel", "worker"]),
  z.string().regex(/^plugin:[a-z0-9][a-z0-9._-]{0,99}$/, 'expected "plugin:" and a plugin id'),
]);

export const errorSeveritySchema = z.enum(["warning", "error", "critical", "fatal"]);

/** Longest message and stack trace kept: enough to read, short enough that a loop cannot bloat the log. */
export const MAX_ERROR_MESSAGE = 2000;
export const MAX_STACK_TRACE = 16_000;

const event = <Type extends string, Data extends z.ZodType>(type: Type, data: Data) =>
  z.strictObject({ type: z.literal(type), data });

export const errorEventSchema = z.discriminatedUnion("type", [
  event(
    "ErrorReported",
    z.strictObject({
      errorId: errorIdSchema,
      sourceComponent: errorSourceSchema,
      severity: errorSeveritySchema,
      message: z.string().min(1).max(MAX_ERROR_MESSAGE),
      stackTrace: z.string().max(MAX_STACK_TRACE).optional(),
      /** What the reporter knew around it: the page's URL, a job id, the user agent. */
      contextData: z.record(z.string(), z.json()),
    }),
  ),
  event("ErrorResolved", z.strictObject({ errorId: errorIdSchema })),
]);

export type ErrorEvent = z.infer<typeof errorEventSchema>;
export type ErrorEventType = ErrorEvent["type"];
export type ErrorEventData<Type extends ErrorEventType> = Extract<ErrorEvent, { type: Type }>["data"];
export type ErrorSource = z.infer<typeof errorSourceSchema>;
export type ErrorSeverity = z.infer<typeof errorSeveritySchema>;

export const errorEventTypes: readonly ErrorEventType[] = errorEventSchema.options.map(
  (option) => option.shape.type.value,
);

export type ParsedErrorEvent = ParsedEvent<ErrorEvent>;

export const parseErrorEvent = parseEventWithoutUpcasters<ErrorEvent>(errorEventSchema, errorEventTypes);
