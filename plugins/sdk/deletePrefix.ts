// Deletes every object under a key prefix (a job's work folder, its outputs), page by page, through any
// storage provider. Each page is listed afresh from the start, so deleting never skips past a key.
import { isStorageFailure, type StorageFailure, type StorageProvider } from "./storageProvider.ts";

export interface PrefixDeleted {
  readonly _tag: "PrefixDeleted";
  readonly deletedObjects: number;
}

/** `prefix` names a folder: `work/<jobId>` deletes `work/<jobId>/…`, never `work/<jobId>-other`. */
export async function deletePrefix(
  provider: StorageProvider,
  prefix: string,
  bucket?: string,
): Promise<PrefixDeleted | StorageFailure> {
  const folder = prefix.endsWith("/") ? prefix : `${prefix}/`;
  let deletedObjects = 0;
  for (;;) {
    const page = await provider.list({ prefix: folder, ...(bucket === undefined ? {} : { bucket }) });
    if (isStorageFailure(page)) return page;
    if (page.objects.length === 0) return { _tag: "PrefixDeleted", deletedObjects };
    for (const object of page.objects) {
      const deleted = await provider.delete({ key: object.key, ...(bucket === undefined ? {} : { bucket }) });
      if (isStorageFailure(deleted)) return deleted;
      deletedObjects++;
    }
  }
}
