// The events of a `worker-{id}` stream: a worker's runs, with the encoders it proved at start, so the
// dashboard and the scheduler know who can do what. Liveness itself is the work queue's lease, not an event.
import { z } from "zod";

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
});

export const workerEventSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("WorkerStarted"),
    data: z.strictObject({
      workerId: z.string().min(1),
      hostname: z.string().min(1),
      pid: z.number().int().positive(),
      capabilities: capabilitiesSchema,
    }),
  }),
  z.strictObject({
    type: z.literal("WorkerStopped"),
    data: z.strictObject({ workerId: z.string().min(1), reason: z.string().optional() }),
  }),
]);

export type WorkerEvent = z.infer<typeof workerEventSchema>;
