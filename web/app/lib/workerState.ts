import type { Worker } from "./apiTypes.ts";

/** What a worker's badge says: draining outranks online, since it is what an operator must notice. */
export const workerState = (worker: Pick<Worker, "status" | "draining">): string =>
  worker.status === "online" && worker.draining ? "draining" : worker.status;
