// The events of a `worker-{id}` stream: a worker's run, with what it proved it can do at start, and what
// operators and the kernel decided about it (drain, lost, quarantine, removed). Heartbeats are not events: they travel
// on the bus, and only their absence is stored (WorkerLost).
import { z } from "zod";
import { type ParsedEvent, parseEventWithoutUpcasters } from "./parseEventWithoutUpcasters.ts";

const gpuSchema = z.strictObject({
  vendor: z.enum(["nvidia", "amd", "intel", "apple", "other"]),
  model: z.string().min(1).max(200),
});

const capabilitiesSchema = z.strictObject({
  encoders: z.array(
    z.strictObject({
      name: z.string().min(1),
      codec: z.enum(["h264", "hevc", "vp9", "av1"]),
      hardware: z.boolean(),
    }),
  ),
  hwaccels: z.array(z.string()),
  audioCodecs: z.array(z.string()),
  containers: z.array(z.string()),
  // Workers of earlier versions did not tell these; their events stay valid without them.
  cpuCores: z.number().int().positive().optional(),
  memoryBytes: z.number().int().positive().optional(),
  gpus: z.array(gpuSchema).optional(),
  maxParallelTasks: z.number().int().positive().optional(),
  version: z.string().min(1).max(50).optional(),
});

export type WorkerCapabilities = z.infer<typeof capabilitiesSchema>;

const workerId = z.string().min(1).max(200);

/** The failures that count against a worker: a corrupt input or a cancel is nobody's fault of its. */
export const workerFaultClassSchema = z.enum(["transient", "oom", "timeout", "stalled"]);
export type WorkerFaultClass = z.infer<typeof workerFaultClassSchema>;

const event = <Type extends string, Data extends z.ZodType>(type: Type, data: Data) =>
  z.strictObject({ type: z.literal(type), data });

export const workerEventSchema = z.discriminatedUnion("type", [
  event(
    "WorkerStarted",
    z.strictObject({
      workerId,
      hostname: z.string().min(1),
      pid: z.number().int().positive(),
      capabilities: capabilitiesSchema,
    }),
  ),
  event("WorkerStopped", z.strictObject({ workerId, reason: z.string().optional() })),
  /** Finishes what it holds and takes nothing new. */
  event("WorkerDrained", z.strictObject({ workerId })),
  event("WorkerUndrained", z.strictObject({ workerId })),
  /** No heartbeat for too long: its leased tasks go to other workers. */
  event(
    "WorkerLost",
    z.strictObject({
      workerId,
      lastHeartbeatAt: z.iso.datetime({ offset: true }),
      missedHeartbeats: z.number().int().positive(),
    }),
  ),
  /** Taken off the list by an operator once it was offline. */
  event("WorkerRemoved", z.strictObject({ workerId })),
  /** A task attempt this worker held failed for a reason that may be the worker's (the kernel's record). */
  event(
    "WorkerAttemptFailed",
    z.strictObject({
      workerId,
      jobId: z.uuid(),
      taskId: z.uuid(),
      attempt: z.number().int().positive(),
      exitClass: workerFaultClassSchema,
      failedAt: z.iso.datetime({ offset: true }),
    }),
  ),
  /** An attempt succeeded after failures: the count of failures in a row starts again. */
  event(
    "WorkerRecovered",
    z.strictObject({ workerId, jobId: z.uuid(), taskId: z.uuid(), attempt: z.number().int().positive() }),
  ),
  /** Failed tasks of one class too often in a row: takes no new work until an admin lifts it. */
  event(
    "WorkerQuarantined",
    z.strictObject({
      workerId,
      exitClass: workerFaultClassSchema,
      failures: z.number().int().positive(),
      reason: z.string().min(1),
    }),
  ),
  event("WorkerUnquarantined", z.strictObject({ workerId })),
]);

export type WorkerEvent = z.infer<typeof workerEventSchema>;
export type WorkerEventType = WorkerEvent["type"];
export type WorkerEventData<Type extends WorkerEventType> = Extract<WorkerEvent, { type: Type }>["data"];

export const workerEventTypes: readonly WorkerEventType[] = workerEventSchema.options.map(
  (option) => option.shape.type.value,
);

export type ParsedWorkerEvent = ParsedEvent<WorkerEvent>;

export const parseWorkerEvent = parseEventWithoutUpcasters<WorkerEvent>(workerEventSchema, workerEventTypes);
