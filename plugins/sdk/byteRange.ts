// Checks a requested byte range the same way for every storage provider, before the backend sees it:
// S3 ignores a malformed Range header and sends the whole object, which a caller would take for the slice.
import { type ByteRange, type StorageFailure, storageFailure } from "./storageProvider.ts";

const HINT = "Ask for bytes start-end with 0 <= start <= end (end is inclusive and may be left out).";

/** Why a range is malformed, whatever the object's size; undefined when it is well formed. */
export const refuseMalformedRange = (range: ByteRange): StorageFailure | undefined => {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || start < 0) {
    return storageFailure("invalid_range", "The range's start is not a whole number of bytes.", HINT);
  }
  if (end !== undefined && (!Number.isSafeInteger(end) || end < start)) {
    return storageFailure("invalid_range", "The range's end lies before its start.", HINT);
  }
  return undefined;
};

export const unsatisfiableRange = (sizeBytes: number): StorageFailure =>
  storageFailure(
    "invalid_range",
    `The range starts at or past the object's end (${sizeBytes} bytes).`,
    "Ask for a range that starts before the object's size.",
  );

/** The HTTP Range header value of a well-formed range. */
export const rangeHeader = ({ start, end }: ByteRange): string => `bytes=${start}-${end ?? ""}`;
