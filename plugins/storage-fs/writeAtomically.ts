// Streams a body into a hidden temporary file beside its final place, flushes it and renames it into
// place: readers see the whole object or none of it, and a failed or aborted write leaves nothing.
import { createHash, randomUUID } from "node:crypto";
import { type FileHandle, open, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { type Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { type StorageFailure, storageFailure } from "../sdk/storageProvider.ts";
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

/** Writes every chunk whole (continuing short writes) so that backpressure reaches the disk. */
const fileWriter = (write: (data: Buffer) => Promise<void>): Writable =>
  new Writable({
    highWaterMark: 128 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      write(chunk).then(() => callback(), callback);
    },
    // chunks queued while a write is under way go down together, in one system call
    writev(chunks, callback) {
      write(Buffer.concat(chunks.map(({ chunk }) => chunk as Buffer))).then(() => callback(), callback);
    },
  });

export const writeAtomically = async (
  folder: string,
  name: string,
  body: Readable,
  signal?: AbortSignal,
): Promise<Written | StorageFailure> => {
  const target = join(folder, name);
  const partial = join(folder, `${PARTIAL_PREFIX}${randomUUID()}`);
  let handle: FileHandle;
  try {
    handle = await open(partial, "wx", 0o644);
  } catch (error) {
    return fsFailure(error);
  }

  const hash = createHash("sha256");
  let sizeBytes = 0;
  let diskError: unknown;
  const write = async (data: Buffer) => {
    hash.update(data);
    sizeBytes += data.length;
    try {
      for (let offset = 0; offset < data.length; ) {
        offset += (await handle.write(data, offset)).bytesWritten;
      }
    } catch (error) {
      diskError = error;
      throw error;
    }
  };
  let bodyEnded = false;
  let closed = false;
  try {
    await pipeline(body, fileWriter(write), signal === undefined ? {} : { signal });
    bodyEnded = true;
    await handle.sync();
    closed = true;
    await handle.close();
    await rename(partial, target);
    await syncFolder(folder);
    return { path: target, sizeBytes, checksum: `sha256:${hash.digest("hex")}` };
  } catch (error) {
    if (!closed) await handle.close().catch(() => undefined);
    await rm(partial, { force: true });
    if (!bodyEnded && diskError === undefined) {
      return storageFailure(
        "aborted",
        "The body ended before it was complete; nothing was stored.",
        "Send the whole body again.",
        error,
      );
    }
    return fsFailure(diskError ?? error);
  }
};
