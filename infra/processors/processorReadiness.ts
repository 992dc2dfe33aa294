// The readiness of the reactors and projectors: each one's state, position, lag behind the head of the
// log and parked events; one that has been retrying longer than `stuckAfterMs` makes /ready fail.
import type pg from "pg";
import type { EventStore } from "../../domain/ports/eventStore.ts";
import type { ReadinessCheck } from "../http/healthRoutes.ts";
import { type ProcessorKind, parkedCounts } from "./deadLetters.ts";

export interface ProcessorStatus {
  state: string;
  position: number;
  retryingSince?: number;
  lastError?: string;
  error?: string;
}

export interface WatchedProcessor {
  kind: ProcessorKind;
  name: string;
  status(): ProcessorStatus;
}

export interface ProcessorReadinessOptions {
  processors: readonly WatchedProcessor[];
  store: Pick<EventStore, "headPosition">;
  pool: pg.Pool;
  schema: string;
  /** Retrying for longer than this is stuck. */
  stuckAfterMs: number;
  now?: () => number;
}

export function processorReadiness(options: ProcessorReadinessOptions): ReadinessCheck {
  const now = options.now ?? Date.now;
  return async () => {
    const [head, parked] = await Promise.all([
      options.store.headPosition(),
      parkedCounts(options.pool, options.schema),
    ]);
    const stuck: string[] = [];
    const processors = options.processors.map(({ kind, name, status }) => {
      const { state, position, retryingSince, lastError, error } = status();
      const retryingForMs = retryingSince === undefined ? 0 : now() - retryingSince;
      const isStuck = retryingForMs > options.stuckAfterMs;
      const why = lastError ?? error;
      if (isStuck) {
        stuck.push(
          `${kind} ${name} has been retrying for ${Math.round(retryingForMs / 1000)} s${why ? `: ${why}` : ""}`,
        );
      }
      return {
        kind,
        name,
        state,
        position,
        lag: Math.max(0, head - position),
        stuck: isStuck,
        parked: parked.get(`${kind}:${name}`) ?? 0,
        ...(why ? { error: why } : {}),
      };
    });
    return {
      ok: stuck.length === 0,
      detail: { head, processors, ...(stuck.length > 0 ? { reason: stuck.join("; ") } : {}) },
    };
  };
}
