// Streams an upload body into `uploads/` under the media root with backpressure and a size limit,
// hashing as it goes. The file appears under its final name only once complete and flushed; a refused,
// aborted or failed upload leaves nothing behind.
import { createHash, randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, open, realpath, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { errnoOf } from "./errnoOf.ts";
import { isInsideDirectory } from "./isInsideDirectory.ts";
import { sanitizeUploadFileName } from "./sanitizeUploadFileName.ts";

const UPLOADS_FOLDER = "uploads";

export interface StreamUploadOptions {
  readonly mediaRoot: string;
  /** The client's name for the file; sanitized, never trusted as a path. */
  readonly fileName: string;
  readonly maxBytes: number;
  /** Aborts the upload (e.g. the HTTP request went away); the partial file is removed. */
  readonly signal?: AbortSignal;
}

export interface Uploaded {
  readonly _tag: "Uploaded";
  /** The source URL to submit a job with: `fs://uploads/<uuid>-<name>`, percent-encoded. */
  readonly url: string;
  readonly path: string;
  readonly sizeBytes: number;
  readonly sha256: string;
}

export interface UploadRefused {
  readonly _tag: "UploadRefused";
  readonly code: "WE-JOB-001" | "WE-STO-003";
  readonly status: 400 | 413 | 507;
  readonly reason: "too_large" | "empty" | "aborted" | "storage_full";
  readonly message: string;
  readonly hint: string;
  readonly receivedBytes: number;
}

const toNodeReadable = (body: ReadableStream<Uint8Array> | NodeJS.ReadableStream): NodeJS.ReadableStream =>
  "getReader" in body ? Readable.fromWeb(body) : body;

const fsyncPath = async (path: string, flags: string): Promise<void> => {
  const handle = await open(path, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
};

const formatBytes = (bytes: number): string =>
  bytes >= 1024 ** 3
    ? `${(bytes / 1024 ** 3).toFixed(1)} GiB`
    : bytes >= 1024 ** 2
      ? `${(bytes / 1024 ** 2).toFixed(1)} MiB`
      : `${bytes} bytes`;

/**
 * Throws only for faults that are not the client's: an `uploads/` folder that leads outside the media
 * root, or an I/O error other than a full disk. Everything the client can cause is an UploadRefused.
 */
export const streamUpload = async (
  body: ReadableStream<Uint8Array> | NodeJS.ReadableStream,
  options: StreamUploadOptions,
): Promise<Uploaded | UploadRefused> => {
  const { maxBytes } = options;
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) {
    throw new RangeError(`maxBytes must be a positive integer, got ${maxBytes}`);
  }

  // The body may fail while the file is being prepared; pipeline reports that failure below, so until
  // then the event needs a listener or it would be an uncaught exception.
  const source = toNodeReadable(body);
  const holdEarlyError = () => {};
  source.on("error", holdEarlyError);

  const root = await realpath(options.mediaRoot);
  await mkdir(join(root, UPLOADS_FOLDER), { recursive: true, mode: 0o750 });
  const uploads = await realpath(join(root, UPLOADS_FOLDER));
  if (!isInsideDirectory(root, uploads)) {
    throw new Error(`the ${UPLOADS_FOLDER} folder resolves outside the media root`);
  }

  const name = `${randomUUID()}-${sanitizeUploadFileName(options.fileName)}`;
  const finalPath = join(uploads, name);
  const partPath = `${finalPath}.part`;

  let received = 0;
  let tooLarge = false;
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

  const refused = (reason: UploadRefused["reason"], message: string, hint: string): UploadRefused => ({
    _tag: "UploadRefused",
    // over the limit answers like a declared Content-Length over it (the route): WE-STO-003 with 413
    code: reason === "storage_full" || reason === "too_large" ? "WE-STO-003" : "WE-JOB-001",
    status: reason === "too_large" ? 413 : reason === "storage_full" ? 507 : 400,
    reason,
    message,
    hint,
    receivedBytes: received,
  });

  try {
    await pipeline(
      source,
      meter,
      createWriteStream(partPath, { flags: "wx", mode: 0o640 }),
      options.signal === undefined ? {} : { signal: options.signal },
    );
  } catch (error) {
    source.off("error", holdEarlyError);
    await rm(partPath, { force: true });
    if (tooLarge) {
      return refused(
        "too_large",
        `The upload is larger than the limit of ${formatBytes(maxBytes)}.`,
        "Upload a smaller file, or ask an administrator to raise the upload limit; large files " +
          "can also be submitted as an http(s) source URL.",
      );
    }
    const code = errnoOf(error);
    if (code === "ENOSPC" || code === "EDQUOT") {
      return refused(
        "storage_full",
        "The media storage is full.",
        "Free space in the media root or expand the storage, then retry the upload.",
      );
    }
    // An error from the file system is ours; anything else came from the body or the abort signal.
    if (error instanceof Error && "syscall" in error) throw error;
    return refused(
      "aborted",
      "The upload was interrupted before it completed.",
      "Retry the upload; nothing from the interrupted attempt was kept.",
    );
  }

  try {
    if (received === 0) {
      await rm(partPath, { force: true });
      return refused("empty", "The upload is empty.", "Send the media file as the request body.");
    }
    await fsyncPath(partPath, "r+");
    await rename(partPath, finalPath);
  } catch (error) {
    await rm(partPath, { force: true });
    throw error;
  }
  // The rename survives a crash only once the folder is flushed; best effort, as some file systems
  // (network, FUSE) refuse to fsync a directory and the file itself is already complete and flushed.
  await fsyncPath(uploads, "r").catch(() => undefined);

  return {
    _tag: "Uploaded",
    url: `fs://${UPLOADS_FOLDER}/${encodeURIComponent(name)}`,
    path: finalPath,
    sizeBytes: received,
    sha256: hash.digest("hex"),
  };
};
