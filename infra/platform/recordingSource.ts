// The source URL an archive job reads a live recording from. Jobs read sources through the source
// storages (fs://, s3://), not the job storage the ingest records into: the recording is copied once
// into the media storage, under a name made from its stream and session, so a repeat finds it there.
import type { StorageProvider } from "../../plugins/sdk/storageProvider.ts";
import { isStorageFailure } from "../../plugins/sdk/storageProvider.ts";

export interface RecordingSourceStorage {
  readonly jobs: StorageProvider;
  /** storage-fs over the media folder, when it runs. */
  readonly fs: StorageProvider | null;
}

export function recordingSource(storage: RecordingSourceStorage) {
  return async (recording: { streamId: string; sessionId: string; objectKey: string }): Promise<string> => {
    const target = storage.fs;
    if (target === null) throw new Error("archiving a live recording needs the storage-fs plugin");
    const key = `uploads/live-${recording.streamId}-${recording.sessionId}.mp4`;
    const url = `fs://${key}`;
    const there = await target.head({ key });
    if (!isStorageFailure(there)) return url;
    const source = await storage.jobs.get({ key: recording.objectKey });
    if (isStorageFailure(source)) throw new Error(`recording ${recording.objectKey}: ${source.message}`);
    const stored = await target.put({ key }, source.body, { contentType: "video/mp4" });
    if (isStorageFailure(stored))
      throw new Error(`copying recording ${recording.objectKey}: ${stored.message}`);
    return url;
  };
}
