// Progress ticks inside one process (`webencode up`, unit tests): delivered synchronously on publish.
import type { LiveTelemetryTick } from "../../domain/ports/liveSessions.ts";
import type { ProgressBus, WorkerHeartbeat } from "../../domain/ports/progressBus.ts";
import { createLatestRestreamFigures, createLatestTelemetry } from "./latestTelemetry.ts";
import { createLatestTicks, type LatestTicksOptions } from "./latestTicks.ts";
import { createTickListeners } from "./tickListeners.ts";

export interface MemoryProgressBusOptions extends LatestTicksOptions {
  /** A listener threw; the tick still reaches the other listeners. */
  onError?: (error: unknown) => void;
}

export function createMemoryProgressBus(options: MemoryProgressBusOptions = {}): ProgressBus {
  const latestTicks = createLatestTicks(options);
  const listeners = createTickListeners(options.onError ?? (() => {}));
  const heartbeats = createTickListeners<WorkerHeartbeat>(options.onError ?? (() => {}));
  const telemetry = createTickListeners<LiveTelemetryTick>(options.onError ?? (() => {}));
  const latestTelemetry = createLatestTelemetry();
  const latestRestreams = createLatestRestreamFigures();
  let closed = false;
  return {
    publish(tick) {
      if (closed) return;
      latestTicks.record(tick);
      listeners.deliver(tick);
    },
    subscribe: (listener) => (closed ? () => {} : listeners.add(listener)),
    latest: (jobId) => latestTicks.latest(jobId),
    forget: (jobId) => latestTicks.forget(jobId),
    publishHeartbeat(heartbeat) {
      if (!closed) heartbeats.deliver(heartbeat);
    },
    subscribeHeartbeats: (listener) => (closed ? () => {} : heartbeats.add(listener)),
    publishTelemetry(tick) {
      if (closed) return;
      latestTelemetry.record(tick);
      telemetry.deliver(tick);
    },
    subscribeTelemetry: (listener) => (closed ? () => {} : telemetry.add(listener)),
    latestTelemetry: (streamId) => latestTelemetry.latest(streamId),
    forgetTelemetry: (streamId) => latestTelemetry.forget(streamId),
    publishRestreamFigures(tick) {
      if (!closed) latestRestreams.record(tick);
    },
    latestRestreamFigures: (restreamId) => latestRestreams.latest(restreamId),
    async close() {
      closed = true;
      listeners.clear();
      heartbeats.clear();
      telemetry.clear();
    },
  };
}
