// What an object key may be, for every storage provider: relative names joined by `/`, refusing each
// spelling that could climb out of a root once some layer decodes, normalizes or reinterprets it
// (`..`, absolute paths, NUL and other controls, encoded separators, compatibility dots). Pure: no I/O.
import { isStorageFailure, type StorageFailure, storageFailure } from "./storageProvider.ts";

const HINT = "Use a relative key of plain names separated by '/', e.g. uploads/talk.mp4.";
/** S3's limit; a file system's is larger. */
const MAX_KEY_BYTES = 1024;
/** The usual file-name limit of a file system (ext4, xfs, btrfs). */
const MAX_SEGMENT_BYTES = 255;

// C0 controls, DEL and C1 controls: never part of a name we accept, NUL above all.
const CONTROL = /\p{Cc}/u;
const STILL_ENCODED = /%[0-9a-f]{2}/i;
const DRIVE = /^[a-z]:/i;

const invalid = (message: string, hint = HINT): StorageFailure =>
  storageFailure("invalid_key", message, hint);

/** Why one name (a key's segment, or the start of one) is refused; undefined when it is fine. */
const refuseName = (name: string): StorageFailure | undefined => {
  if (name.includes("\\") || CONTROL.test(name)) {
    return invalid("The key holds a backslash or a control character.");
  }
  if (STILL_ENCODED.test(name)) {
    return invalid("The key holds a percent-encoded sequence.", `Keys are never percent-encoded. ${HINT}`);
  }
  // Compatibility forms (U+2025 "‥", U+FF0E "．", U+FF0F "／") become dots and slashes under NFKC.
  const folded = name.normalize("NFKC");
  if (folded.includes("/") || folded.includes("\\")) {
    return invalid("The key holds a character that normalizes to a separator.");
  }
  if (Buffer.byteLength(name) > MAX_SEGMENT_BYTES) {
    return invalid(`A name in the key is longer than ${MAX_SEGMENT_BYTES} bytes.`);
  }
  return undefined;
};

const refuseSegment = (segment: string): StorageFailure | undefined => {
  if (segment.length === 0) return invalid("The key has an empty segment ('//' or a trailing '/').");
  const folded = segment.normalize("NFKC");
  if (segment === "." || segment === ".." || folded === "." || folded === "..") {
    return invalid("The key may not contain '.' or '..' segments.");
  }
  return refuseName(segment);
};

const refuseWhole = (key: string): StorageFailure | undefined => {
  if (key.startsWith("/") || key.startsWith("\\") || DRIVE.test(key)) {
    return invalid("The key is an absolute path.", `Drop the leading slash. ${HINT}`);
  }
  if (Buffer.byteLength(key) > MAX_KEY_BYTES)
    return invalid(`The key is longer than ${MAX_KEY_BYTES} bytes.`);
  return undefined;
};

/** The key's segments, each a plain name: never empty, `.`, `..`, or holding a separator or control. */
export const parseStorageKey = (key: string): readonly string[] | StorageFailure => {
  if (key.length === 0) return invalid("The key is empty.");
  const whole = refuseWhole(key);
  if (whole !== undefined) return whole;
  const segments = key.split("/");
  for (const segment of segments) {
    const refused = refuseSegment(segment);
    if (refused !== undefined) return refused;
  }
  return segments;
};

/** A folder path for browsing: "" (the root) or a key; a trailing `/` is allowed. */
export const parseFolderPath = (path: string): readonly string[] | StorageFailure => {
  const trimmed = path.endsWith("/") ? path.slice(0, -1) : path;
  return trimmed === "" ? [] : parseStorageKey(trimmed);
};

export interface KeyPrefix {
  /** The whole folders the prefix names. */
  readonly folder: readonly string[];
  /** The start of a name inside that folder; "" when the prefix ends with `/`. */
  readonly namePrefix: string;
}

/** A list prefix as S3 takes it (`a/b` matches `a/b.mp4` and `a/b/c`), split where a file system needs it. */
export const parseKeyPrefix = (prefix: string): KeyPrefix | StorageFailure => {
  if (prefix === "") return { folder: [], namePrefix: "" };
  const whole = refuseWhole(prefix);
  if (whole !== undefined) return whole;
  const parts = prefix.split("/");
  const namePrefix = parts.pop() ?? "";
  for (const segment of parts) {
    const refused = refuseSegment(segment);
    if (refused !== undefined) return refused;
  }
  const refused = refuseName(namePrefix);
  return refused ?? { folder: parts, namePrefix };
};

/**
 * The key a URL path spells (`a/talk%20one.mp4` → `a/talk one.mp4`): each segment decoded exactly once,
 * then held to the key's rules, so `%2e%2e`, `%2f` and `%00` are refused after decoding.
 */
export const keyFromUrlPath = (path: string): string | StorageFailure => {
  if (path.includes("?") || path.includes("#")) {
    return invalid(
      "A storage URL has no query or fragment.",
      "Percent-encode '?' as %3F and '#' as %23 in names.",
    );
  }
  const decoded: string[] = [];
  for (const raw of path.split("/")) {
    try {
      decoded.push(decodeURIComponent(raw));
    } catch {
      return invalid("The URL has an invalid percent-encoding.");
    }
  }
  for (const segment of decoded) {
    if (segment.includes("/")) return invalid("The URL holds an encoded '/'.");
  }
  const key = decoded.join("/");
  const parsed = parseStorageKey(key);
  return isStorageFailure(parsed) ? parsed : key;
};

/** The URL path of a key: each segment percent-encoded once. */
export const urlPathOfKey = (key: string): string => key.split("/").map(encodeURIComponent).join("/");
