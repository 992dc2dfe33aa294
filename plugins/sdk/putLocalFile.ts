// Streams a local file (an encoder's verified output in a worker's scratch folder) into a storage
// provider; the provider computes the checksum of what it stored, for the caller to compare.
import { createReadStream } from "node:fs";
import type { ObjectRef, PutOptions, StorageFailure, StorageProvider, Stored } from "./storageProvider.ts";
import { WHOLE_FILE_READ } from "./wholeFileRead.ts";

export const putLocalFile = (
  provider: StorageProvider,
  ref: ObjectRef,
  path: string,
  options?: PutOptions,
): Promise<Stored | StorageFailure> => provider.put(ref, createReadStream(path, WHOLE_FILE_READ), options);
