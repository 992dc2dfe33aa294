// Builds a worker event (schemas/events/workerEvents.ts) ready to append: validated, with metadata.
import type { CommandContext } from "../../domain/ports/commandOutcome.ts";
import type { EventData } from "../../domain/ports/eventStore.ts";
import { currentSchemaVersion } from "../../schemas/events/currentSchemaVersion.ts";
import { type WorkerEvent, workerEventSchema } from "../../schemas/events/workerEvents.ts";

export function workerEventData(
  event: WorkerEvent,
  { id, context, occurredAt }: { id: string; context: CommandContext; occurredAt: Date },
): EventData {
  const { type, data } = workerEventSchema.parse(event);
  return {
    id,
    type,
    data,
    metadata: { ...context, occurredAt: occurredAt.toISOString(), schemaVersion: currentSchemaVersion(type) },
  };
}
