// Streams a body into a hidden temporary file beside its final place, flushes it and renames it into
// place: readers see the whole object or none of it, and a failed or aborted write leaves nothing.
import { createHash, randomUUID } from "node:crypto";
import { open, rm } from "node:fs/promises";
import { join } from "node:path";
import { type Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { type StorageFailure, storageFailure } from "../sdk/storageProvider.ts";
import { type AtomicFile, type AtomicFileSystem, nodeAtomicFileSystem } from "./atomicFileSystem.ts";
import { fsFailure } from "./fsFailure.ts";

/** Names of files still being written start so; keys may not, and lists and browsing skip them. */
export const PARTIAL_PREFIX = ".webencode-partial-";

export interface Written {
  readonly path: string;
  readonly sizeBytes: number;
  readonly checksum: string;
}

const syncFolder = async (path: string): Promise<void> => {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
};

/**
 * Writes every chunk whole so that backpressure reaches the disk. Chunks queued while a write is under
 * way (up to 1 MiB) go down together in one system call, as they are: copying them into one buffer
 * would double the garbage an upload makes, and with it the memory the process holds between collections.
 */
const fileWriter = (write: (chunks: readonly Buffer[]) => Promise<void>): Writable =>
  new Writable({
    highWaterMark: 1024 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      write([chunk]).then(() => callback(), callback);
    },
    writev(chunks, callback) {
      write(chunks.map(({ chunk }) => chunk as Buffer)).then(() => callback(), callback);
    },
  });

export const writeAtomically = async (
  folder: string,
  name: string,
  body: Readable,
  signal?: AbortSignal,
  files: AtomicFileSystem = nodeAtomicFileSystem,
): Promise<Written | StorageFailure> => {
  const target = join(folder, name);
  const partial = join(folder, `${PARTIAL_PREFIX}${randomUUID()}`);
  let file: AtomicFile;
  try {
    file = await files.create(partial, 0o644);
  } catch (error) {
    // the body is left unread: whoever gave it decides whether to drain or drop it
    return fsFailure(error);
  }

  const hash = createHash("sha256");
  let sizeBytes = 0;
  // set by the first failing file operation: the failure is the disk's, whatever the body did next
  let diskError: unknown;
  const onDisk = async <T>(operation: () => Promise<T>): Promise<T> => {
    try {
      return await operation();
    } catch (error) {
      diskError ??= error;
      throw error;
    }
  };
  const write = async (chunks: readonly Buffer[]) => {
    for (const chunk of chunks) {
      hash.update(chunk);
      sizeBytes += chunk.length;
    }
    await onDisk(() => file.write(chunks));
  };
  let closed = false;
  try {
    await pipeline(body, fileWriter(write), signal === undefined ? {} : { signal });
    await onDisk(() => file.sync());
    closed = true;
    await onDisk(() => file.close());
    await onDisk(() => files.rename(partial, target));
  } catch (error) {
    if (!closed) await file.close().catch(() => undefined);
    // best effort: the disk that failed the write may fail this too, and the answer matters more
    await rm(partial, { force: true }).catch(() => undefined);
    if (diskError === undefined) {
      return storageFailure(
        "aborted",
        "The body ended before it was complete; nothing was stored.",
        "Send the whole body again.",
        error,
      );
    }
    return fsFailure(diskError);
  }
  // The rename survives a crash only once the folder is flushed; best effort, as some file systems
  // (network, FUSE) refuse to fsync a folder, and the file itself is already complete and flushed.
  await syncFolder(folder).catch(() => undefined);
  return { path: target, sizeBytes, checksum: `sha256:${hash.digest("hex")}` };
};
