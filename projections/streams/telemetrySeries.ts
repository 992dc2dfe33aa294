// The charts' time series of each live stream, held in the kernel's memory from the telemetry ticks on
// the bus: one sample a second over the last ten minutes of the current session. Never stored: after a
// restart the chart starts again, as the figures themselves would.
import type { LiveTelemetryTick } from "../../domain/ports/liveSessions.ts";
import type { ProgressBus } from "../../domain/ports/progressBus.ts";

export interface TelemetrySeries {
  /** Oldest first. */
  samples(streamId: string): readonly LiveTelemetryTick[];
  latest(streamId: string): LiveTelemetryTick | undefined;
  /** The sample about `seconds` before the latest (for what changed since). */
  before(streamId: string, seconds: number): LiveTelemetryTick | undefined;
  forget(streamId: string): void;
  stop(): void;
}

export interface TelemetrySeriesOptions {
  bus: ProgressBus;
  /** How far back the series reaches (default 600 s). */
  windowSeconds?: number;
  /** Streams held at once (default 1,000); the one that ticked longest ago goes first. */
  maxStreams?: number;
}

export function createTelemetrySeries(options: TelemetrySeriesOptions): TelemetrySeries {
  const windowMs = (options.windowSeconds ?? 600) * 1000;
  const maxStreams = options.maxStreams ?? 1000;
  const series = new Map<string, LiveTelemetryTick[]>();
  const record = (tick: LiveTelemetryTick) => {
    let samples = series.get(tick.streamId);
    series.delete(tick.streamId);
    // a new session starts a new chart
    if (samples === undefined || samples[0]?.sessionId !== tick.sessionId) samples = [];
    const second = Math.floor(Date.parse(tick.at) / 1000);
    const last = samples.at(-1);
    if (last !== undefined && Math.floor(Date.parse(last.at) / 1000) >= second)
      samples[samples.length - 1] = tick;
    else samples.push(tick);
    const oldest = Date.parse(tick.at) - windowMs;
    let drop = 0;
    while (drop < samples.length && Date.parse(samples[drop]!.at) < oldest) drop++;
    if (drop > 0) samples.splice(0, drop);
    series.set(tick.streamId, samples);
    for (const stream of series.keys()) {
      if (series.size <= maxStreams) break;
      series.delete(stream);
    }
  };
  const unsubscribe = options.bus.subscribeTelemetry(record);
  return {
    samples: (streamId) => series.get(streamId) ?? [],
    latest: (streamId) => series.get(streamId)?.at(-1),
    before(streamId, seconds) {
      const samples = series.get(streamId) ?? [];
      const latest = samples.at(-1);
      if (latest === undefined) return undefined;
      const until = Date.parse(latest.at) - seconds * 1000;
      return samples.findLast((sample) => Date.parse(sample.at) <= until) ?? samples[0];
    },
    forget: (streamId) => void series.delete(streamId),
    stop: unsubscribe,
  };
}
