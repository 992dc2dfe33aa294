// The events of a `worker-{id}` stream: a worker's run, with what it proved it can do at start, and what
// operators and the kernel decided about it (drain, lost, removed). Heartbeats are not events: they travel
// on the bus, and only their absence is stored (WorkerLost).
import { z } from "zod";
import { currentSchemaVersion } from "./currentSchemaVersion.ts";
import { type EventMetadata, eventMetadataSchema } from "./eventMetadata.ts";
import type { EventIssue, StoredEvent } from "./parseStoredEvent.ts";

const gpuSchema = z.strictObject({
  vendor: z.enum(["nvidia", "amd", "intel", "apple", "other"]),
  model: z.string().min(1).max(200),
});

const capabilitiesSchema = z.strictObject({
  encoders: z.array(
    z.strictObject({
      name: z.string().min(1),
      codec: z.enum(["h264", "hevc", "av1"]),
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
]);

export type WorkerEvent = z.infer<typeof workerEventSchema>;
export type WorkerEventType = WorkerEvent["type"];
export type WorkerEventData<Type extends WorkerEventType> = Extract<WorkerEvent, { type: Type }>["data"];

export const workerEventTypes: readonly WorkerEventType[] = workerEventSchema.options.map(
  (option) => option.shape.type.value,
);

const isWorkerEventType = (type: string): type is WorkerEventType =>
  (workerEventTypes as readonly string[]).includes(type);

export type ParsedWorkerEvent =
  | { _tag: "Parsed"; event: WorkerEvent; metadata: EventMetadata }
  | { _tag: "UnknownEventType"; type: string }
  | { _tag: "MalformedEvent"; type: string; issues: EventIssue[] };

const issuesOf = (error: z.ZodError, root: string): EventIssue[] =>
  error.issues.map((issue) => ({
    path: [root, ...issue.path.map(String)].filter((part) => part !== "").join("."),
    message: issue.message,
  }));

export function parseWorkerEvent({ type, data, metadata }: StoredEvent): ParsedWorkerEvent {
  if (!isWorkerEventType(type)) return { _tag: "UnknownEventType", type };
  const malformed = (issues: EventIssue[]): ParsedWorkerEvent => ({ _tag: "MalformedEvent", type, issues });
  const parsedMetadata = eventMetadataSchema.safeParse(metadata);
  if (!parsedMetadata.success) return malformed(issuesOf(parsedMetadata.error, "metadata"));
  // Worker events have no upcasters: every stored version must be the current one.
  if (parsedMetadata.data.schemaVersion !== currentSchemaVersion(type)) {
    const message = `schema version ${parsedMetadata.data.schemaVersion} is not one this build reads`;
    return malformed([{ path: "metadata.schemaVersion", message }]);
  }
  const parsed = workerEventSchema.safeParse({ type, data });
  if (!parsed.success) return malformed(issuesOf(parsed.error, ""));
  return { _tag: "Parsed", event: parsed.data, metadata: parsedMetadata.data };
}
