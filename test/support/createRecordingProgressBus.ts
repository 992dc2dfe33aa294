// Test support: the in-process progress bus, keeping every job tick it carried.
import type { ProgressBus, ProgressTick } from "../../domain/ports/progressBus.ts";
import { createMemoryProgressBus } from "../../infra/progress/memoryProgressBus.ts";

export interface RecordingProgressBus extends ProgressBus {
  readonly ticks: readonly ProgressTick[];
}

export function createRecordingProgressBus(): RecordingProgressBus {
  const ticks: ProgressTick[] = [];
  const bus = createMemoryProgressBus();
  return {
    ...bus,
    ticks,
    publish(tick) {
      ticks.push(tick);
      bus.publish(tick);
    },
  };
}
