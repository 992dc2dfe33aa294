// Test support: the storage port of the job pipeline over real storage-fs folders, as a single machine
// runs it: fs:// sources from the media folder, work files and outputs in the storage folder.
import type { MediaStorage } from "../../plugins/sdk/mediaStorage.ts";
import type { StorageProvider } from "../../plugins/sdk/storageProvider.ts";
import { createFsStorage } from "../../plugins/storage-fs/index.ts";

export interface FsMediaStorage extends MediaStorage {
  readonly media: StorageProvider;
  close(): Promise<void>;
}

export async function fsMediaStorage(folders: {
  mediaRoot?: string;
  storageRoot: string;
}): Promise<FsMediaStorage> {
  const signing_key = "test-signing-key-0123456789abcdef";
  const jobs = await createFsStorage({ root: folders.storageRoot, signing_key });
  const media =
    folders.mediaRoot === undefined ? jobs : await createFsStorage({ root: folders.mediaRoot, signing_key });
  return {
    jobs,
    media,
    forSource: (url) => (/^fs:\/\//i.test(url) ? media : null),
    async close() {
      await Promise.all([jobs.close(), media.close()]);
    },
  };
}
