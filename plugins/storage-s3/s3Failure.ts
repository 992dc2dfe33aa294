// What an S3 error means to a storage caller, by its code and HTTP status; the error rides along for the log.
import { type StorageFailure, storageFailure } from "../sdk/storageProvider.ts";

interface S3ErrorShape {
  readonly name?: string;
  readonly Code?: string;
  readonly code?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

export const s3Failure = (error: unknown, bucket: string): StorageFailure => {
  const shape = (typeof error === "object" && error !== null ? error : {}) as S3ErrorShape;
  const code = shape.Code ?? shape.name ?? shape.code ?? "UnknownError";
  const status = shape.$metadata?.httpStatusCode;
  if (code === "NoSuchBucket") {
    return storageFailure(
      "not_found",
      `The bucket '${bucket}' does not exist.`,
      "Create the bucket, or fix the bucket in the storage-s3 config.",
      error,
    );
  }
  if (code === "NoSuchKey" || code === "NotFound" || status === 404) {
    return storageFailure(
      "not_found",
      "No object has this key.",
      "Check the key, or upload the file first.",
      error,
    );
  }
  if (code === "InvalidRange" || status === 416) {
    return storageFailure(
      "invalid_range",
      "The range starts at or past the object's end.",
      "Ask for a range that starts before the object's size.",
      error,
    );
  }
  if (
    code === "EntityTooLarge" ||
    code === "QuotaExceeded" ||
    code === "XMinioStorageFull" ||
    status === 507
  ) {
    return storageFailure(
      "storage_full",
      `The bucket refused the object as too large or over quota (${code}).`,
      "Free space or raise the bucket's quota, then retry.",
      error,
    );
  }
  if (
    code === "AccessDenied" ||
    code === "InvalidAccessKeyId" ||
    code === "SignatureDoesNotMatch" ||
    status === 403
  ) {
    return storageFailure(
      "access_denied",
      `The S3 endpoint refused the credentials (${code}).`,
      "Check access_key_id, secret_access_key and the bucket policy in the storage-s3 config.",
      error,
    );
  }
  return storageFailure(
    "unavailable",
    `The S3 endpoint failed (${code}${status === undefined ? "" : `, HTTP ${status}`}).`,
    "Check that the endpoint in the storage-s3 config is reachable and healthy, then retry.",
    error,
  );
};
