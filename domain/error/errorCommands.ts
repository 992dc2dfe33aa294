// What may be asked of a reported error: report it (the browser, a plugin, the kernel's and workers'
// loggers) and resolve it (an operator).
import type { ErrorEventData } from "../../schemas/events/errorEvents.ts";

export type ReportError = { type: "ReportError"; data: ErrorEventData<"ErrorReported"> };
export type ResolveError = { type: "ResolveError"; data: ErrorEventData<"ErrorResolved"> };

export type ErrorCommand = ReportError | ResolveError;
