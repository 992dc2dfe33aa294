// Reports the kernel's and workers' own errors as ErrorReported events, off the caller's path: `report`
// only queues and never throws. A hot loop logging the same failure is reported once per window (with
// how often it was seen meanwhile), all reports share a rate limit, and a report that cannot be stored
// goes to the plain log only — never back through the reporter.
import { hostname } from "node:os";
import { executeErrorCommand } from "../../commands/errors/executeErrorCommand.ts";
import type { CommandDeps } from "../../commands/executeCommand.ts";
import {
  type ErrorEventData,
  type ErrorSeverity,
  type ErrorSource,
  errorSourceSchema,
  MAX_ERROR_MESSAGE,
  MAX_STACK_TRACE,
} from "../../schemas/events/errorEvents.ts";
import { systemActor } from "../../workers/reactionContext.ts";
import { type RateLimit, type TokenBucket, takeToken } from "../http/tokenBucket.ts";

export interface ErrorReporter {
  /** Queues a report; returns at once. `source` names a plugin the error is about (`plugin:<id>`). */
  report(severity: ErrorSeverity, message: string, detail?: unknown, source?: ErrorSource): void;
  /** Resolves once every queued report has been stored or given up on. */
  flush(): Promise<void>;
}

export interface ErrorReporterOptions extends CommandDeps {
  source: "kernel" | "worker";
  /** The plain log: where a report that could not be stored is told. */
  fallback: (message: string) => void;
  /** The same failure is reported once per this many milliseconds. */
  dedupeWindowMs?: number;
  limit?: RateLimit;
  /** Reports waiting beyond this many are dropped (and counted in the next one). */
  maxQueued?: number;
  clock?: () => number;
}

const DEFAULT_LIMIT: RateLimit = { perSecond: 1, burst: 20 };

/** The same failure about other jobs, ids or counts: digits, uuids and hex runs do not tell them apart. */
const fingerprintOf = (source: string, severity: string, message: string) =>
  `${source} ${severity} ${message
    .slice(0, 300)
    .replace(/[0-9a-f]{8,}(-[0-9a-f]{4,})*/gi, "#")
    .replace(/\d+/g, "#")}`;

export function createErrorReporter(options: ErrorReporterOptions): ErrorReporter {
  const clock = options.clock ?? (() => performance.now());
  const windowMs = options.dedupeWindowMs ?? 60_000;
  const limit = options.limit ?? DEFAULT_LIMIT;
  const maxQueued = options.maxQueued ?? 100;
  const seen = new Map<string, { at: number; suppressed: number }>();
  const queue: ErrorEventData<"ErrorReported">[] = [];
  let bucket: TokenBucket | undefined;
  let dropped = 0;
  let draining: Promise<void> = Promise.resolve();
  let running = false;

  const store = async (data: ErrorEventData<"ErrorReported">) => {
    const context = { correlationId: options.newId(), causationId: options.newId(), actor: systemActor };
    try {
      const result = await executeErrorCommand(options, { type: "ReportError", data }, context);
      if (result._tag !== "Executed") options.fallback(`error report not stored: ${result.message}`);
    } catch (error) {
      options.fallback(`error report not stored: ${(error as Error).message}`);
    }
  };

  const drain = async () => {
    running = true;
    try {
      for (let next = queue.shift(); next; next = queue.shift()) await store(next);
    } finally {
      running = false;
    }
  };

  return {
    report(severity, message, detail, source) {
      try {
        const at = clock();
        // a plugin id that is no valid source name is told in the context, under the reporter's own
        const named =
          source === undefined || errorSourceSchema.safeParse(source).success ? source : undefined;
        const sourceComponent = named ?? options.source;
        const fingerprint = fingerprintOf(sourceComponent, severity, message);
        const earlier = seen.get(fingerprint);
        if (earlier && at - earlier.at < windowMs) {
          earlier.suppressed++;
          return;
        }
        const taken = takeToken(bucket, at, limit);
        bucket = taken.bucket;
        if (taken._tag === "Limited" || queue.length >= maxQueued) {
          dropped++;
          return;
        }
        if (seen.size >= 1000) {
          for (const [key, entry] of seen) if (at - entry.at >= windowMs) seen.delete(key);
        }
        seen.set(fingerprint, { at, suppressed: 0 });
        const stack = detail instanceof Error ? detail.stack : undefined;
        queue.push({
          errorId: options.newId(),
          sourceComponent,
          severity,
          message: message.trim().slice(0, MAX_ERROR_MESSAGE) || "(empty message)",
          ...(stack ? { stackTrace: stack.slice(0, MAX_STACK_TRACE) } : {}),
          contextData: {
            hostname: hostname(),
            pid: process.pid,
            ...(source !== undefined && named === undefined ? { about: source } : {}),
            ...(earlier?.suppressed ? { repeated_since_last_report: earlier.suppressed } : {}),
            ...(dropped > 0 ? { dropped_before: dropped } : {}),
          },
        });
        dropped = 0;
        if (!running) draining = drain();
      } catch (error) {
        options.fallback(`error report not queued: ${(error as Error).message}`);
      }
    },
    async flush() {
      while (running || queue.length > 0) await (running ? draining : drain());
    },
  };
}
