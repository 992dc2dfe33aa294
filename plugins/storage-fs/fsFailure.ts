// What a file-system error means to a storage caller, by its errno code; the error itself rides along for the log.
import { type StorageFailure, storageFailure } from "../sdk/storageProvider.ts";

export const errnoOf = (error: unknown): string | undefined =>
  error instanceof Error && "code" in error && typeof error.code === "string" ? error.code : undefined;

export const fsFailure = (error: unknown): StorageFailure => {
  const code = errnoOf(error) ?? "an unknown error";
  switch (code) {
    case "ENOENT":
    case "ENOTDIR":
      return storageFailure(
        "not_found",
        "No object has this key.",
        "Check the key, or upload the file first.",
        error,
      );
    case "EACCES":
    case "EPERM":
    case "EROFS":
      return storageFailure(
        "access_denied",
        `The storage folder refused the operation (${code}).`,
        "Make the storage root readable and writable by the WebEncode process (owner, mode, read-only mount).",
        error,
      );
    case "ELOOP":
      return storageFailure(
        "access_denied",
        "The key leads into a symbolic link loop.",
        "Remove the loop.",
        error,
      );
    case "ENOSPC":
    case "EDQUOT":
      return storageFailure(
        "storage_full",
        "The storage folder is full.",
        "Free space in the storage root or expand the disk, then retry.",
        error,
      );
    case "ENAMETOOLONG":
      return storageFailure(
        "invalid_key",
        "The key is too long for the file system.",
        "Use a shorter key.",
        error,
      );
    case "EISDIR":
      return storageFailure("invalid_key", "The key names a folder.", "Name a file, not a folder.", error);
    default:
      return storageFailure(
        "unavailable",
        `The storage folder failed (${code}).`,
        "Check the disk behind the storage root (system log, dmesg) and retry once it is healthy.",
        error,
      );
  }
};
