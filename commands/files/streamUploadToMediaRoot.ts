// Streams an upload body into `uploads/` under the media root with backpressure and a size limit,
// hashing as it goes. The file appears under its final name only once complete and flushed; a refused,
// aborted or failed upload (the client's fault or the disk's) leaves nothing behind.
import { createHash, randomUUID } from "node:crypto";
import { mkdir, open, realpath, rm } from "node:fs/promises";
import { join } from "node:path";
import { Readable, Transform, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { errnoOf } from "../../plugins/sdk/sources/errnoOf.ts";
import { isInsideDirectory } from "../../plugins/sdk/sources/isInsideDirectory.ts";
import type { ErrorCode } from "../../schemas/errors.ts";
import { sanitizeUploadFileName } from "./sanitizeUploadFileName.ts";
import { nodeUploadFileSystem, type UploadFile, type UploadFileSystem } from "./uploadFileSystem.ts";

const UPLOADS_FOLDER = "uploads";

export interface StreamUploadOptions {
  readonly mediaRoot: string;
  /** The client's name for the file; sanitized, never trusted as a path. */
  readonly fileName: string;
  readonly maxBytes: number;
  /** Aborts the upload (e.g. the HTTP request went away); the partial file is removed. */
  readonly signal?: AbortSignal;
  /** Where the bytes go; the real file system unless a test needs a failing one. */
  readonly files?: UploadFileSystem;
}

export interface Uploaded {
  readonly _tag: "Uploaded";
  /** The source URL to submit a job with: `fs://uploads/<uuid>-<name>`, percent-encoded. */
  readonly url: string;
  readonly path: string;
  readonly sizeBytes: number;
  readonly sha256: string;
  /** Takes the file back when the form it came in fails after it; removing `path` when absent. */
  readonly remove?: () => Promise<void>;
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
    /** A storage plugin refused the object (no such plugin, bucket or key). */
    | "storage_refused";
  readonly message: string;
  readonly hint: string;
  readonly receivedBytes: number;
  /** The file system's own error, for the server's log, when the storage failed. */
  readonly cause?: unknown;
}

const toNodeReadable = (body: ReadableStream<Uint8Array> | NodeJS.ReadableStream): NodeJS.ReadableStream =>
  "getReader" in body ? Readable.fromWeb(body) : body;

const syncDirectory = async (path: string): Promise<void> => {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
};

/** Over the limit answers like a declared Content-Length over it (the route): 413. */
export const tooLargeRefusal = (maxBytes: number) =>
  ({
    code: "WE-STO-003",
    status: 413,
    reason: "too_large",
    message: `The upload is larger than the limit of ${formatBytes(maxBytes)}.`,
    hint:
      "Upload a smaller file, or ask an administrator to raise the upload limit; large files " +
      "can also be submitted as an http(s) source URL.",
  }) as const;

const formatBytes = (bytes: number): string =>
  bytes >= 1024 ** 3
    ? `${(bytes / 1024 ** 3).toFixed(1)} GiB`
    : bytes >= 1024 ** 2
      ? `${(bytes / 1024 ** 2).toFixed(1)} MiB`
      : `${bytes} bytes`;

/**
 * A writable stream over `write`, so that the body's backpressure reaches the disk; chunks that queue
 * up while a write is under way (up to 128 KiB) go down together, in one write: a body that arrives in
 * small chunks costs no more system calls than with fs.createWriteStream.
 */
const writableOver = (write: (data: Uint8Array) => Promise<void>): Writable =>
  new Writable({
    highWaterMark: 128 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      write(chunk).then(() => callback(), callback);
    },
    writev(chunks, callback) {
      write(Buffer.concat(chunks.map(({ chunk }) => chunk as Buffer))).then(() => callback(), callback);
    },
  });

type Refusal = Omit<UploadRefused, "_tag" | "receivedBytes">;

/** What the client is told when the file system failed, by its error code; the cause goes to the log. */
const storageRefusal = (error: unknown): Refusal => {
  const code = errnoOf(error) ?? "an unknown error";
  const syscall = error instanceof Error && "syscall" in error ? ` at ${String(error.syscall)}` : "";
  const cause = error;
  switch (code) {
    case "ENOSPC":
    case "EDQUOT":
      return {
        code: "WE-STO-003",
        status: 507,
        reason: "storage_full",
        message: "The media storage is full.",
        hint: "Free space in the media root or expand the storage, then retry the upload.",
        cause,
      };
    case "EMFILE":
    case "ENFILE":
      return {
        code: "WE-STO-004",
        status: 503,
        reason: "storage_busy",
        message: `The server has too many files open to store the upload now (${code}${syscall}).`,
        hint: "Retry the upload in a moment; if this keeps happening, raise the open-file limit (ulimit -n) of the WebEncode process.",
        cause,
      };
    case "EACCES":
    case "EPERM":
    case "EROFS":
      // the permission is the server's, not the client's: a server error, not the catalog's 403
      return {
        code: "WE-STO-002",
        status: 500,
        reason: "storage_denied",
        message: `The media storage refused the upload (${code}${syscall}).`,
        hint: "Make the media root writable by the WebEncode process (owner, mode, read-only mount), then retry.",
        cause,
      };
    default:
      return {
        code: "WE-STO-004",
        status: 500,
        reason: "storage_failed",
        message: `The media storage failed while storing the upload (${code}${syscall}).`,
        hint: "Check the disk behind the media root (system log, dmesg) and retry the upload once it is healthy.",
        cause,
      };
  }
};

/**
 * Throws only when the `uploads/` folder leads outside the media root (a configuration fault that must
 * be seen). Everything else, whether the client's fault or the disk's, is an UploadRefused.
 */
export const streamUpload = async (
  body: ReadableStream<Uint8Array> | NodeJS.ReadableStream,
  options: StreamUploadOptions,
): Promise<Uploaded | UploadRefused> => {
  const { maxBytes } = options;
  const files = options.files ?? nodeUploadFileSystem;
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) {
    throw new RangeError(`maxBytes must be a positive integer, got ${maxBytes}`);
  }

  // A Node stream body may fail while the file is being prepared, or again after a failure destroyed
  // it; pipeline reports the failure that matters, so the event needs a listener or it would be an
  // uncaught exception. A web stream body is not touched until the file is open: a body never read is
  // drained by the HTTP server, which then still delivers the answer.
  const holdError = (stream: NodeJS.ReadableStream) => stream.on("error", () => {});
  if (!("getReader" in body)) holdError(body);

  let received = 0;
  let tooLarge = false;
  // set by the first failing file operation: the failure is the disk's, whatever the body did next
  let storageError: unknown;
  const onDisk = async <T>(operation: () => Promise<T>): Promise<T> => {
    try {
      return await operation();
    } catch (error) {
      storageError ??= error;
      throw error;
    }
  };
  const refused = (refusal: Refusal): UploadRefused => ({
    _tag: "UploadRefused",
    ...refusal,
    receivedBytes: received,
  });

  let uploads: string;
  try {
    const root = await realpath(options.mediaRoot);
    await mkdir(join(root, UPLOADS_FOLDER), { recursive: true, mode: 0o750 });
    uploads = await realpath(join(root, UPLOADS_FOLDER));
    if (!isInsideDirectory(root, uploads)) {
      throw new Error(`the ${UPLOADS_FOLDER} folder resolves outside the media root`);
    }
  } catch (error) {
    if (errnoOf(error) === undefined) throw error;
    return refused(storageRefusal(error));
  }

  const name = `${randomUUID()}-${sanitizeUploadFileName(options.fileName)}`;
  const finalPath = join(uploads, name);
  const partPath = `${finalPath}.part`;

  const hash = createHash("sha256");
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      if (received > maxBytes) {
        tooLarge = true;
        callback(new Error("upload exceeds maxBytes"));
        return;
      }
      hash.update(chunk);
      callback(null, chunk);
    },
  });

  let file: UploadFile | undefined;
  try {
    file = await onDisk(() => files.create(partPath, 0o640));
    const sink = file;
    await pipeline(
      holdError(toNodeReadable(body)),
      meter,
      writableOver((data) => onDisk(() => sink.write(data))),
      options.signal === undefined ? {} : { signal: options.signal },
    );
    if (received > 0) await onDisk(() => sink.sync());
    file = undefined;
    await onDisk(() => sink.close());
    if (received === 0) {
      await onDisk(() => rm(partPath, { force: true }));
      return refused({
        code: "WE-JOB-001",
        status: 400,
        reason: "empty",
        message: "The upload is empty.",
        hint: "Send the media file as the request body.",
      });
    }
    await onDisk(() => files.rename(partPath, finalPath));
  } catch {
    // the body is left as it is: a failed pipeline has destroyed it, and one never read is drained
    await file?.close().catch(() => undefined);
    // best effort: the disk that failed the write may fail this too, and the answer matters more
    await rm(partPath, { force: true }).catch(() => undefined);
    if (storageError !== undefined) return refused(storageRefusal(storageError));
    if (tooLarge) {
      return refused(tooLargeRefusal(maxBytes));
    }
    // anything else came from the body or the abort signal: the client went away
    return refused({
      code: "WE-JOB-001",
      status: 400,
      reason: "aborted",
      message: "The upload was interrupted before it completed.",
      hint: "Retry the upload; nothing from the interrupted attempt was kept.",
    });
  }
  // The rename survives a crash only once the folder is flushed; best effort, as some file systems
  // (network, FUSE) refuse to fsync a directory and the file itself is already complete and flushed.
  await syncDirectory(uploads).catch(() => undefined);

  return {
    _tag: "Uploaded",
    url: `fs://${UPLOADS_FOLDER}/${encodeURIComponent(name)}`,
    path: finalPath,
    sizeBytes: received,
    sha256: hash.digest("hex"),
  };
};
