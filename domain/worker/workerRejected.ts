import type { ErrorCode } from "../../schemas/errors.ts";

export type WorkerRejection = "WorkerNotFound" | "WorkerOffline" | "WorkerOnline";

/** A worker command refused: why, the WE-* code the API answers with, what went wrong, what to do. */
export type WorkerRejected = {
  _tag: "WorkerRejected";
  reason: WorkerRejection;
  code: ErrorCode;
  message: string;
  hint: string;
};

const codeOf: Record<WorkerRejection, ErrorCode> = {
  WorkerNotFound: "WE-WRK-001",
  WorkerOnline: "WE-WRK-002",
  WorkerOffline: "WE-WRK-003",
};

const hintOf: Record<WorkerRejection, string> = {
  WorkerNotFound: "List workers with GET /v1/workers",
  WorkerOnline: "Drain it (POST /v1/workers/{id}/drain), let it finish, stop its process, then remove it",
  WorkerOffline:
    "The worker no longer runs: nothing to drain or lift; remove it with DELETE /v1/workers/{id}",
};

export const workerRejected = (reason: WorkerRejection, message: string): WorkerRejected => ({
  _tag: "WorkerRejected",
  reason,
  code: codeOf[reason],
  message,
  hint: hintOf[reason],
});
