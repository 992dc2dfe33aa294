// The one way an upload is stored: its bytes stream into a storage plugin's `put` under the upload limit,
// into the media storage-fs (`uploads/<uuid>-<name>`) unless the request names another plugin. A refused,
// aborted or failed upload, whether the client's fault or the storage's, leaves no object behind.
import { randomUUID } from "node:crypto";
import { type Readable, Transform } from "node:stream";
import {
  isStorageFailure,
  type ObjectRef,
  type StorageFailure,
  type StorageProvider,
  type Stored,
  storageFailureCodes,
} from "../../plugins/sdk/storageProvider.ts";
import type { ErrorCode } from "../../schemas/errors.ts";
import { sanitizeUploadFileName } from "./sanitizeUploadFileName.ts";

/** The storage an upload may go to. */
export interface UploadStorage {
  /** The media storage-fs, where uploads without a plugin_id go; null when it is disabled. */
  readonly fs: StorageProvider | null;
  /** Every running storage plugin by id. */
  readonly byId: ReadonlyMap<string, StorageProvider>;
}

export interface UploadTarget {
  /** storage-fs (the default) stores the file as `uploads/<uuid>-<file name>`. */
  readonly pluginId?: string;
  readonly bucket?: string;
  /** Where the object goes in another plugin; `uploads/<uuid>-<file name>` when the request names none. */
  readonly objectKey?: string;
  /** The client's name for the file; sanitized, never trusted as a path. */
  readonly fileName: string;
}

export interface Uploaded {
  readonly _tag: "Uploaded";
  /** The source URL to submit a job with: `fs://uploads/<uuid>-<name>`, percent-encoded, or `s3://…`. */
  readonly url: string;
  readonly ref: ObjectRef;
  readonly sizeBytes: number;
  readonly sha256: string;
  /** Takes the object back when the form it came in fails after it. */
  remove(): Promise<void>;
}

export interface UploadRefused {
  readonly _tag: "UploadRefused";
  readonly code: ErrorCode;
  /** When it differs from the code's own. */
  readonly status?: 400 | 413 | 500 | 503 | 507;
  readonly reason:
    | "too_large"
    | "empty"
    | "aborted"
    | "storage_full"
    | "storage_busy"
    | "storage_denied"
    | "storage_failed"
    /** The storage refused the object itself (no such plugin, bucket or key). */
    | "storage_refused";
  readonly message: string;
  readonly hint: string;
  readonly receivedBytes: number;
  /** The storage's own error, for the server's log, when the storage failed. */
  readonly cause?: unknown;
}

type Refusal = Omit<UploadRefused, "_tag" | "receivedBytes">;

/** What a request naming a storage plugin that does not run is told. */
export const unknownStoragePlugin = (pluginId: string, running: Iterable<string>) => ({
  message: `no storage plugin ${pluginId} is running`,
  hint: `Running storage plugins: ${[...running].join(", ") || "none"}; see GET /v1/files/capabilities`,
});

const formatBytes = (bytes: number): string =>
  bytes >= 1024 ** 3
    ? `${(bytes / 1024 ** 3).toFixed(1)} GiB`
    : bytes >= 1024 ** 2
      ? `${(bytes / 1024 ** 2).toFixed(1)} MiB`
      : `${bytes} bytes`;

/** Over the limit answers like a declared Content-Length over it (the route): 413. */
export const tooLargeRefusal = (maxBytes: number): Refusal => ({
  code: "WE-STO-003",
  status: 413,
  reason: "too_large",
  message: `The upload is larger than the limit of ${formatBytes(maxBytes)}.`,
  hint:
    "Upload a smaller file, or ask an administrator to raise the upload limit; large files " +
    "can also be submitted as an http(s) source URL.",
});

const errnoOf = (error: unknown): string | undefined =>
  error instanceof Error && "code" in error && typeof error.code === "string" ? error.code : undefined;

/**
 * The answer to a storage failure during an upload. A storage that refuses the server (permissions, a
 * read-only mount) is the server's fault, not the client's: 500, not the catalog's 403; running out of
 * file handles passes, so it is 503.
 */
export const uploadRefusalOf = (failure: StorageFailure): Refusal => {
  const { message, hint } = failure;
  const cause = failure.cause === undefined ? {} : { cause: failure.cause };
  switch (failure.reason) {
    case "aborted":
      return {
        code: "WE-JOB-001",
        status: 400,
        reason: "aborted",
        message: "The upload was interrupted before it completed.",
        hint: "Retry the upload; nothing from the interrupted attempt was kept.",
      };
    case "storage_full":
      return { code: "WE-STO-003", status: 507, reason: "storage_full", message, hint, ...cause };
    case "access_denied":
      return { code: "WE-STO-002", status: 500, reason: "storage_denied", message, hint, ...cause };
    case "unavailable": {
      const busy = ["EMFILE", "ENFILE"].includes(errnoOf(failure.cause) ?? "");
      return busy
        ? {
            code: "WE-STO-004",
            status: 503,
            reason: "storage_busy",
            message: "The server has too many files open to store the upload now.",
            hint: "Retry the upload in a moment; if this keeps happening, raise the open-file limit (ulimit -n) of the WebEncode process.",
            ...cause,
          }
        : { code: "WE-STO-004", status: 500, reason: "storage_failed", message, hint, ...cause };
    }
    default:
      return {
        code: storageFailureCodes[failure.reason],
        reason: "storage_refused",
        message,
        hint,
        ...cause,
      };
  }
};

/** Streams `file` into `ref` of `provider`, refusing it once it passes `maxBytes`; nothing is left of a refused one. */
export async function putWithinLimit(
  provider: StorageProvider,
  ref: ObjectRef,
  file: Readable,
  options: { readonly maxBytes: number; readonly signal?: AbortSignal; readonly contentType?: string },
): Promise<Stored | UploadRefused> {
  const { maxBytes } = options;
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) {
    throw new RangeError(`maxBytes must be a positive integer, got ${maxBytes}`);
  }
  let received = 0;
  let tooLarge = false;
  const limited = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      if (received > maxBytes) {
        tooLarge = true;
        done(new Error("the upload is over the limit"));
      } else done(null, chunk);
    },
  });
  // the limit may strike before the provider has taken the stream (it prepares its folder first): the
  // failure reaches it as a destroyed body either way, so the event itself needs a listener here
  limited.on("error", () => {});
  file.on("error", (error) => limited.destroy(error));
  file.pipe(limited);
  const stored = await provider.put(ref, limited, {
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
  });
  if (!isStorageFailure(stored)) return stored;
  // the rest of the body is read and dropped, as Node's HTTP server does with a body nobody read: a
  // request body cut off here would take its connection, and the answer, with it
  file.unpipe(limited);
  file.resume();
  const refusal = tooLarge ? tooLargeRefusal(maxBytes) : uploadRefusalOf(stored);
  return { _tag: "UploadRefused", ...refusal, receivedBytes: received };
}

const isDefaultPlugin = (pluginId: string | undefined) =>
  pluginId === undefined || pluginId === "" || pluginId === "storage-fs";

/** Streams one uploaded file into the storage `target` names. */
export async function uploadToStorage(
  storage: UploadStorage,
  target: UploadTarget,
  file: Readable,
  options: { readonly maxBytes: number; readonly signal?: AbortSignal; readonly contentType?: string },
): Promise<Uploaded | UploadRefused> {
  const refuse = (refusal: Refusal, receivedBytes = 0): UploadRefused => {
    file.resume();
    return { _tag: "UploadRefused", ...refusal, receivedBytes };
  };
  const named = `uploads/${randomUUID()}-${sanitizeUploadFileName(target.fileName)}`;
  let provider: StorageProvider | undefined;
  let ref: ObjectRef;
  if (isDefaultPlugin(target.pluginId)) {
    if (storage.fs === null) {
      return refuse({
        code: "WE-PLG-002",
        reason: "storage_refused",
        message: "the storage-fs plugin is disabled, and uploads without a plugin_id go to it",
        hint: "Name another storage plugin in plugin_id (see GET /v1/files/capabilities), or enable storage-fs",
      });
    }
    // the media folder has no buckets, and the file's name was already chosen from the form
    provider = storage.fs;
    ref = { key: named };
  } else {
    provider = storage.byId.get(target.pluginId!);
    if (provider === undefined) {
      return refuse({
        code: "WE-PLG-001",
        reason: "storage_refused",
        ...unknownStoragePlugin(target.pluginId!, storage.byId.keys()),
      });
    }
    ref = {
      key: target.objectKey ?? named,
      ...(target.bucket === undefined ? {} : { bucket: target.bucket }),
    };
  }
  const stored = await putWithinLimit(provider, ref, file, options);
  if (stored._tag === "UploadRefused") return stored;
  const storedRef = { key: stored.key, ...(stored.bucket === undefined ? {} : { bucket: stored.bucket }) };
  const remove = async () => {
    await provider.delete(storedRef);
  };
  if (stored.sizeBytes === 0) {
    await remove();
    return refuse({
      code: "WE-JOB-001",
      status: 400,
      reason: "empty",
      message: "The upload is empty.",
      hint: "Send the media file as the request body.",
    });
  }
  return {
    _tag: "Uploaded",
    url: stored.url,
    ref: storedRef,
    sizeBytes: stored.sizeBytes,
    sha256: stored.checksum.replace(/^sha256:/, ""),
    remove,
  };
}
