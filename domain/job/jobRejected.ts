import { type ErrorCode, errors } from "../../schemas/errors.ts";

/** A command the job refused: the WE-* code the API answers with, what went wrong, what to do. */
export type JobRejected = { _tag: "JobRejected"; code: ErrorCode; message: string; hint: string };

export const jobRejected = (code: ErrorCode, message: string): JobRejected => ({
  _tag: "JobRejected",
  code,
  message,
  hint: errors[code].resolution,
});
