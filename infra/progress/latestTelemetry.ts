// The latest telemetry tick of each live stream, and the latest figures of each restream, a process has
// seen, in bounded memory.
import type { LiveTelemetryTick } from "../../domain/ports/liveSessions.ts";
import type { RestreamFiguresTick } from "../../domain/ports/restreamFigures.ts";

export interface LatestByKey<T> {
  record(value: T): void;
  latest(key: string): T | undefined;
  forget(key: string): void;
}

/** The latest value of each key; the key recorded longest ago is evicted past `maxKeys`. */
export function createLatestByKey<T>(keyOf: (value: T) => string, maxKeys = 10_000): LatestByKey<T> {
  // insertion order is recency order: a key recorded again is moved to the end
  const values = new Map<string, T>();
  return {
    record(value) {
      const key = keyOf(value);
      values.delete(key);
      values.set(key, value);
      for (const oldest of values.keys()) {
        if (values.size <= maxKeys) break;
        values.delete(oldest);
      }
    },
    latest: (key) => values.get(key),
    forget: (key) => void values.delete(key),
  };
}

export type LatestTelemetry = LatestByKey<LiveTelemetryTick>;

export const createLatestTelemetry = (maxStreams = 10_000): LatestTelemetry =>
  createLatestByKey((tick) => tick.streamId, maxStreams);

export const createLatestRestreamFigures = (maxRestreams = 10_000): LatestByKey<RestreamFiguresTick> =>
  createLatestByKey((tick) => tick.restreamId, maxRestreams);
