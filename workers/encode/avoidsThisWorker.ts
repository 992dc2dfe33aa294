// Whether this worker should hand a task attempt back: an earlier attempt of the task ran out of memory
// here, and the spec retries such a task on another worker. A worker cannot see the others, so it
// leaves the message to them a few times; when it keeps coming back, nobody else is free and it runs here.
import type { TaskMessage } from "../taskMessage.ts";

/** How long a handed-back attempt waits before the queue offers it again. */
export const AVOIDED_RETRY_MS = 1_000;

/** Deliveries an avoided worker hands back before it takes the attempt after all. */
export const AVOIDED_DELIVERIES = 5;

export function avoidsThisWorker(message: TaskMessage, deliveryCount: number, workerId: string): boolean {
  return (message.avoid_workers ?? []).includes(workerId) && deliveryCount <= AVOIDED_DELIVERIES;
}
