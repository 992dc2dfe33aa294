// Test support: a progress bus in memory that also keeps every tick it carried, until the platform's
// own in-process bus lands in infra/.
import type { LiveTelemetryTick } from "../../domain/ports/liveSessions.ts";
import type { ProgressBus, ProgressTick, WorkerHeartbeat } from "../../domain/ports/progressBus.ts";

export interface RecordingProgressBus extends ProgressBus {
  readonly ticks: readonly ProgressTick[];
}

export function createRecordingProgressBus(): RecordingProgressBus {
  const ticks: ProgressTick[] = [];
  const listeners = new Set<(tick: ProgressTick) => void>();
  const latest = new Map<string, Map<string, ProgressTick>>();
  const heartbeatListeners = new Set<(heartbeat: WorkerHeartbeat) => void>();
  const telemetryListeners = new Set<(tick: LiveTelemetryTick) => void>();
  const latestTelemetry = new Map<string, LiveTelemetryTick>();
  return {
    ticks,
    publish(tick) {
      ticks.push(tick);
      const ofJob = latest.get(tick.jobId) ?? new Map<string, ProgressTick>();
      ofJob.set(tick.taskId, tick);
      latest.set(tick.jobId, ofJob);
      for (const listener of listeners) listener(tick);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    latest: (jobId) => [...(latest.get(jobId)?.values() ?? [])],
    forget: (jobId) => void latest.delete(jobId),
    publishHeartbeat(heartbeat) {
      for (const listener of heartbeatListeners) listener(heartbeat);
    },
    subscribeHeartbeats(listener) {
      heartbeatListeners.add(listener);
      return () => heartbeatListeners.delete(listener);
    },
    publishTelemetry(tick) {
      latestTelemetry.set(tick.streamId, tick);
      for (const listener of telemetryListeners) listener(tick);
    },
    subscribeTelemetry(listener) {
      telemetryListeners.add(listener);
      return () => telemetryListeners.delete(listener);
    },
    latestTelemetry: (streamId) => latestTelemetry.get(streamId),
    forgetTelemetry: (streamId) => void latestTelemetry.delete(streamId),
    async close() {
      listeners.clear();
    },
  };
}
