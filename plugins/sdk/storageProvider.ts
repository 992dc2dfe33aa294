// The storage pillar: where every media byte lives (sources, uploads, chunks, outputs), after the spec's
// StorageProvider service. Calls take and return plain data and Node streams only, so an out-of-process
// host can carry them unchanged; expected failures are tagged values, never thrown.
import type { Readable } from "node:stream";
import type { ErrorCode } from "../../schemas/errors.ts";

/**
 * Where an object lives. `key` is relative and `/`-separated (`uploads/talk.mp4`), never percent-encoded.
 * `bucket` names an S3 bucket; a provider with one root (storage-fs) takes no bucket.
 */
export interface ObjectRef {
  readonly bucket?: string;
  readonly key: string;
}

/** Bytes `start` to `end` inclusive, as in an HTTP Range header; `end` past the object stops at its end. */
export interface ByteRange {
  readonly start: number;
  readonly end?: number;
}

export interface ObjectMetadata {
  readonly _tag: "ObjectMetadata";
  readonly bucket?: string;
  readonly key: string;
  readonly sizeBytes: number;
  /** Changes whenever the content does; quoted as S3 sends it. */
  readonly etag: string;
  readonly contentType: string;
  /** ISO 8601. */
  readonly modifiedAt: string;
}

export interface PutOptions {
  readonly contentType?: string;
  /** Aborts the write; nothing is left behind. */
  readonly signal?: AbortSignal;
}

export interface Stored {
  readonly _tag: "Stored";
  readonly bucket?: string;
  readonly key: string;
  /** The source URL to give a job: `fs://…` or `s3://bucket/…`. */
  readonly url: string;
  readonly sizeBytes: number;
  readonly etag: string;
  /** "sha256:<hex>" of the bytes written, computed while they streamed through. */
  readonly checksum: string;
}

export interface GetOptions {
  readonly range?: ByteRange;
  readonly signal?: AbortSignal;
}

export interface ObjectBody {
  readonly _tag: "ObjectBody";
  readonly metadata: ObjectMetadata;
  /** The bytes asked for; whoever takes it must read it to its end or destroy it. */
  readonly body: Readable;
  /** The range served, `end` inclusive; null when the whole object is. */
  readonly range: { readonly start: number; readonly end: number } | null;
}

export interface Deleted {
  readonly _tag: "Deleted";
}

export interface ListRequest {
  readonly bucket?: string;
  /** A plain key prefix, as in S3: `a/b` matches `a/b.mp4` and `a/b/c.mp4`. */
  readonly prefix?: string;
  /** With `/`, keys below the next `/` after the prefix are rolled up into `commonPrefixes`. */
  readonly delimiter?: "/";
  /** At most 1000; default 1000. */
  readonly maxKeys?: number;
  /** The `nextContinuationToken` of the page before; opaque. */
  readonly continuationToken?: string;
}

export interface ObjectSummary {
  readonly key: string;
  readonly sizeBytes: number;
  readonly etag: string;
  readonly modifiedAt: string;
}

export interface ListPage {
  readonly _tag: "ListPage";
  /** In key order (UTF-8 bytes, as S3 sorts). */
  readonly objects: readonly ObjectSummary[];
  /** Each ends with the delimiter. */
  readonly commonPrefixes: readonly string[];
  /** null on the last page. */
  readonly nextContinuationToken: string | null;
}

export type MediaKind = "video" | "audio" | "image" | "other";

export interface BrowseEntry {
  readonly name: string;
  /** Relative to the root, `/`-separated; a folder's path has no trailing `/`. */
  readonly path: string;
  readonly isDirectory: boolean;
  /** 0 for folders. */
  readonly sizeBytes: number;
  /** ISO 8601; null where the backend keeps none (S3 folders). */
  readonly modifiedAt: string | null;
  /** Lower case, without the dot; "" for folders and names without one. */
  readonly extension: string;
  readonly kind: MediaKind;
}

export interface BrowseRoots {
  readonly _tag: "BrowseRoots";
  readonly roots: readonly BrowseEntry[];
}

export interface BrowseRequest {
  readonly bucket?: string;
  /** A folder relative to the root; "" is the root. */
  readonly path: string;
  /** Names starting with `.`; hidden by default. */
  readonly showHidden?: boolean;
  /** Folders and video/audio/image files only. */
  readonly mediaOnly?: boolean;
  /** Case-insensitive substring of the name. */
  readonly search?: string;
}

export interface BrowseListing {
  readonly _tag: "BrowseListing";
  readonly currentPath: string;
  /** null at the root. */
  readonly parentPath: string | null;
  /** Folders first, then files, each by name. */
  readonly entries: readonly BrowseEntry[];
}

export interface SignedUrlRequest {
  readonly ref: ObjectRef;
  /** GET downloads (ranges allowed); PUT uploads the whole body. */
  readonly method: "GET" | "PUT";
  /** 1 s to 7 days. */
  readonly expiresInSeconds: number;
  /** PUT only: the Content-Type the uploader must send. */
  readonly contentType?: string;
}

/** Presigned S3 URLs live at most a week; storage-fs links follow the same bound. */
export const MAX_SIGNED_URL_SECONDS = 7 * 24 * 3600;

/** A caller's bug, not an expected failure: thrown. */
export const assertSignedUrlExpiry = (expiresInSeconds: number): void => {
  if (
    !Number.isInteger(expiresInSeconds) ||
    expiresInSeconds < 1 ||
    expiresInSeconds > MAX_SIGNED_URL_SECONDS
  ) {
    throw new RangeError(`expiresInSeconds must be a whole number from 1 to ${MAX_SIGNED_URL_SECONDS}`);
  }
};

export interface SignedUrl {
  readonly _tag: "SignedUrl";
  /** Absolute for S3; for storage-fs absolute when a public URL is configured, else a kernel path. */
  readonly url: string;
  readonly method: "GET" | "PUT";
  /** Headers the client must send with the request. */
  readonly headers: Readonly<Record<string, string>>;
  /** ISO 8601. */
  readonly expiresAt: string;
}

export interface ReadableLocationRequest {
  /** How long a URL handed out must keep working: the whole of the longest read (an encode). */
  readonly expiresInSeconds: number;
}

/**
 * Where a reader such as ffmpeg opens a stored object itself, as plain data: a checked local file
 * (storage-fs: a regular file whose real path lies inside the root) or a URL that needs no credentials
 * (storage-s3: a presigned GET; readers seek with Range requests).
 */
export type ReadableLocation =
  | { readonly _tag: "LocalFile"; readonly path: string }
  | { readonly _tag: "Url"; readonly url: string; readonly expiresAt: string };

export interface StorageCapabilities {
  readonly storageType: "fs" | "s3";
  readonly browse: boolean;
  readonly upload: boolean;
  readonly ranges: boolean;
  readonly signedDownloadUrls: boolean;
  readonly signedUploadUrls: boolean;
  /** Large objects go up in parts (S3 multipart). */
  readonly multipart: boolean;
}

export type StorageFailureReason =
  | "not_found"
  | "access_denied"
  | "storage_full"
  | "unavailable"
  | "invalid_key"
  | "invalid_range"
  /** The body given to put failed or was aborted before its end: the caller's side, not the storage's. */
  | "aborted";

export interface StorageFailure {
  readonly _tag: "StorageFailure";
  readonly reason: StorageFailureReason;
  readonly message: string;
  readonly hint: string;
  /** The backend's own error, for the server's log; never shown to a client. */
  readonly cause?: unknown;
}

export const storageFailure = (
  reason: StorageFailureReason,
  message: string,
  hint: string,
  cause?: unknown,
): StorageFailure => ({
  _tag: "StorageFailure",
  reason,
  message,
  hint,
  ...(cause === undefined ? {} : { cause }),
});

export const isStorageFailure = (value: unknown): value is StorageFailure =>
  typeof value === "object" && value !== null && (value as { _tag?: unknown })._tag === "StorageFailure";

/** The WE code each failure answers with at the HTTP edge. An aborted body is a bad request, as uploads answer today. */
export const storageFailureCodes: Readonly<Record<StorageFailureReason, ErrorCode>> = {
  not_found: "WE-STO-001",
  access_denied: "WE-STO-002",
  storage_full: "WE-STO-003",
  unavailable: "WE-STO-004",
  invalid_key: "WE-STO-005",
  invalid_range: "WE-STO-006",
  aborted: "WE-JOB-001",
};

export interface StorageProvider {
  capabilities(): Promise<StorageCapabilities>;
  /** The ref a source URL of this provider's scheme names (`fs://a/b.mp4`, `s3://bucket/a/b.mp4`). */
  locate(url: string): Promise<ObjectRef | StorageFailure>;
  /** Streams `body` into place: readers see the whole object or none of it; a failed put leaves nothing. */
  put(ref: ObjectRef, body: Readable, options?: PutOptions): Promise<Stored | StorageFailure>;
  get(ref: ObjectRef, options?: GetOptions): Promise<ObjectBody | StorageFailure>;
  head(ref: ObjectRef): Promise<ObjectMetadata | StorageFailure>;
  /** Where a reader opens an existing object itself; not_found when there is none. */
  readableLocation(
    ref: ObjectRef,
    request: ReadableLocationRequest,
  ): Promise<ReadableLocation | StorageFailure>;
  /** Succeeds when the object is already gone. */
  delete(ref: ObjectRef): Promise<Deleted | StorageFailure>;
  list(request: ListRequest): Promise<ListPage | StorageFailure>;
  /** The folders a user may start browsing from. */
  browseRoots(): Promise<BrowseRoots | StorageFailure>;
  browse(request: BrowseRequest): Promise<BrowseListing | StorageFailure>;
  signedUrl(request: SignedUrlRequest): Promise<SignedUrl | StorageFailure>;
  /** Releases connections; the provider is not used after. */
  close(): Promise<void>;
}
