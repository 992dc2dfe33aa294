// What a worker tells about its machine when it starts, beside the encoders it proved: CPU cores,
// memory, GPUs, how many tasks it runs at once and its version.
import { availableParallelism, totalmem } from "node:os";
import type { WorkerCapabilities } from "../../schemas/events/workerEvents.ts";

export type MachineCapabilities = Pick<
  WorkerCapabilities,
  "cpuCores" | "memoryBytes" | "gpus" | "maxParallelTasks" | "version"
>;

export const machineCapabilities = (
  gpus: NonNullable<WorkerCapabilities["gpus"]>,
  version: string,
  /** One encode, and one piece of light work (audio, thumbnails, a stitch, a package) beside it. */
  maxParallelTasks = 2,
): MachineCapabilities => ({
  cpuCores: availableParallelism(),
  memoryBytes: totalmem(),
  gpus,
  maxParallelTasks,
  version,
});
