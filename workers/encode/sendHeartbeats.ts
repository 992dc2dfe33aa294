// A worker's sign of life on the bus, every few seconds for as long as it runs: the kernel marks a
// worker lost after a few missed ones (workerLivenessMonitor.ts).
import type { ProgressBus, WorkerHeartbeat } from "../../domain/ports/progressBus.ts";
import { HEARTBEAT_INTERVAL_MS } from "../reactors/workerLivenessMonitor.ts";

export function sendHeartbeats(
  bus: Pick<ProgressBus, "publishHeartbeat">,
  state: () => Omit<WorkerHeartbeat, "at">,
  now: () => Date,
  intervalMs = HEARTBEAT_INTERVAL_MS,
): { stop(): void } {
  const beat = () => bus.publishHeartbeat({ ...state(), at: now().toISOString() });
  beat();
  const timer = setInterval(beat, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
