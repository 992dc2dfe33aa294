// A storage failure reading a job's source, seen from the job: what is the source's fault (no such
// object, a refused key, no permission) becomes a refusal the job fails with (WE-JOB-002); what is the
// storage's own (unavailable, full) stays a StorageFailure, to be tried again.
import type { StorageFailure } from "../storageProvider.ts";
import { type SourceRefused, sourceRefused } from "./sourceRefused.ts";

export const refusalOfStorageFailure = (failure: StorageFailure): SourceRefused | StorageFailure => {
  switch (failure.reason) {
    case "not_found":
      return sourceRefused("not_found", `The source does not exist: ${failure.message}`, failure.hint);
    case "access_denied":
      return sourceRefused("not_readable", `The source may not be read: ${failure.message}`, failure.hint);
    case "invalid_key":
    case "invalid_range":
      return sourceRefused("invalid_key", `The source key is refused: ${failure.message}`, failure.hint);
    default:
      return failure;
  }
};
