// The metadata context of a command a process issues in reaction to a stored event: same correlation
// as the event, caused by it, acted by the system (or by a named worker).

import type { CommandContext } from "../domain/ports/commandOutcome.ts";
import type { RecordedEvent } from "../domain/ports/eventStore.ts";

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const systemActor = { userId: "system", role: "system" } as const;

export const workerActor = (workerId: string) => ({ userId: `worker:${workerId}`, role: "system" as const });

export function reactionContext(
  cause: { id: string; correlationId?: unknown },
  actor: CommandContext["actor"] = systemActor,
): CommandContext {
  const correlationId =
    typeof cause.correlationId === "string" && uuid.test(cause.correlationId)
      ? cause.correlationId
      : cause.id;
  return { correlationId, causationId: cause.id, actor };
}

/** The context of a command caused by this stored event. */
export const contextOfEvent = (event: RecordedEvent, actor?: CommandContext["actor"]): CommandContext =>
  reactionContext({ id: event.id, correlationId: event.metadata.correlationId }, actor);
