// Streams a stored object into a local file (a chunk into the stitching worker's scratch folder),
// hashing it on the way: the caller compares size and sha256 with what was recorded before using it.
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  isStorageFailure,
  type ObjectRef,
  type StorageFailure,
  type StorageProvider,
} from "./storageProvider.ts";

export interface Fetched {
  readonly _tag: "Fetched";
  readonly path: string;
  readonly sizeBytes: number;
  /** "sha256:<hex>" of the bytes written. */
  readonly checksum: string;
}

export async function getToLocalFile(
  provider: StorageProvider,
  ref: ObjectRef,
  path: string,
  signal?: AbortSignal,
): Promise<Fetched | StorageFailure> {
  const got = await provider.get(ref, signal === undefined ? {} : { signal });
  if (isStorageFailure(got)) return got;
  await mkdir(dirname(path), { recursive: true });
  const hash = createHash("sha256");
  let sizeBytes = 0;
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      sizeBytes += chunk.length;
      done(null, chunk);
    },
  });
  await pipeline(got.body, hashing, createWriteStream(path), signal === undefined ? {} : { signal });
  return { _tag: "Fetched", path, sizeBytes, checksum: `sha256:${hash.digest("hex")}` };
}
