import type { ErrorCode } from "../../schemas/errors.ts";

export type ErrorRejection = "ErrorNotFound";

/** An error command refused: why, the WE-* code the API answers with, what went wrong, what to do. */
export type ErrorRejected = {
  _tag: "ErrorRejected";
  reason: ErrorRejection;
  code: ErrorCode;
  message: string;
  hint: string;
};

export const errorRejected = (reason: ErrorRejection, message: string): ErrorRejected => ({
  _tag: "ErrorRejected",
  reason,
  code: "WE-ERR-001",
  message,
  hint: "List reported errors with GET /v1/errors",
});
