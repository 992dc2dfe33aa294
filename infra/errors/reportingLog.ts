// A plain log line that starts with `error: `, `critical: ` or `fatal: ` (how the kernel and workers
// mark their levels) is also reported to error tracking; every line still goes to the log as it was.
import type { ErrorSeverity } from "../../schemas/events/errorEvents.ts";
import type { ErrorReporter } from "./createErrorReporter.ts";

const LEVEL = /^(error|critical|fatal): /;

export function reportingLog(log: (message: string) => void, reporter: ErrorReporter) {
  return (message: string, detail?: unknown): void => {
    log(message);
    const level = LEVEL.exec(message);
    if (level) reporter.report(level[1] as ErrorSeverity, message.slice(level[0].length), detail);
  };
}
