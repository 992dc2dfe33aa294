// What the job pipeline needs of the storage pillar, as a port: the job storage where work files and
// outputs go, and the provider that reads each source URL's scheme. The platform's storage providers
// (storage-fs, storage-s3) are handed in through it; workers never reach for them themselves.
import type { StorageProvider } from "./storageProvider.ts";

export interface SourceStorage {
  /** The provider of a source URL's scheme (`fs://` → storage-fs, `s3://` → storage-s3), if it runs. */
  forSource(url: string): StorageProvider | null;
}

export interface MediaStorage extends SourceStorage {
  /** Where work files, chunks and outputs go, under `work/<jobId>/…` and `outputs/<jobId>/…`. */
  readonly jobs: StorageProvider;
}
