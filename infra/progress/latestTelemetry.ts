// The latest telemetry tick of each live stream a process has seen, in bounded memory: the stream that
// ticked longest ago is evicted past `maxStreams`.
import type { LiveTelemetryTick } from "../../domain/ports/liveSessions.ts";

export interface LatestTelemetry {
  record(tick: LiveTelemetryTick): void;
  latest(streamId: string): LiveTelemetryTick | undefined;
  forget(streamId: string): void;
}

export function createLatestTelemetry(maxStreams = 10_000): LatestTelemetry {
  // insertion order is recency order: a stream that ticks is moved to the end
  const streams = new Map<string, LiveTelemetryTick>();
  return {
    record(tick) {
      streams.delete(tick.streamId);
      streams.set(tick.streamId, tick);
      for (const oldest of streams.keys()) {
        if (streams.size <= maxStreams) break;
        streams.delete(oldest);
      }
    },
    latest: (streamId) => streams.get(streamId),
    forget: (streamId) => void streams.delete(streamId),
  };
}
