// Metadata every stored event carries. Read models take their timestamps from `occurredAt`, never now().
import { z } from "zod";

export const actorRoleSchema = z.enum(["viewer", "operator", "admin", "system"]);

// Not strict: metadata may gain keys (trace context, say) that older readers simply ignore.
export const eventMetadataSchema = z.object({
  correlationId: z.uuid(),
  causationId: z.uuid(),
  actor: z.object({ userId: z.string().min(1), role: actorRoleSchema }),
  /** Absent on events a system process appends on its own. */
  requestId: z.string().min(1).optional(),
  /** Version of the event's data shape; older versions are upcast on read. */
  schemaVersion: z.number().int().positive(),
  occurredAt: z.iso.datetime({ offset: true }),
});

export type EventMetadata = z.infer<typeof eventMetadataSchema>;
