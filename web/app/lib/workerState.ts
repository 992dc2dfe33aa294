import type { Worker } from "./apiTypes.ts";

/**
 * What a worker's badge says: quarantined outranks draining, which outranks online, since each is what
 * an operator must notice first (a quarantined worker is online yet takes no work).
 */
export const workerState = (worker: Pick<Worker, "status" | "draining" | "quarantined">): string =>
  worker.status === "online" && worker.quarantined !== null
    ? "quarantined"
    : worker.status === "online" && worker.draining
      ? "draining"
      : worker.status;
