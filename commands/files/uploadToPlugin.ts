// An uploaded file streamed to the storage plugin a form names (plugin_id, bucket, object_key), under the
// same size limit as uploads into the media root; a refused or aborted file leaves no object behind.
import { randomUUID } from "node:crypto";
import { type Readable, Transform } from "node:stream";
import {
  isStorageFailure,
  type StorageProvider,
  storageFailureCodes,
} from "../../plugins/sdk/storageProvider.ts";
import { sanitizeUploadFileName } from "./sanitizeUploadFileName.ts";
import { tooLargeRefusal, type Uploaded, type UploadRefused } from "./streamUploadToMediaRoot.ts";

export interface PluginUploadTarget {
  readonly pluginId: string;
  readonly bucket?: string;
  /** Where the object goes; `uploads/<uuid>-<file name>` when the form names no key. */
  readonly objectKey?: string;
  readonly fileName: string;
}

/** What a request naming a storage plugin that does not run is told. */
export const unknownStoragePlugin = (pluginId: string, running: Iterable<string>) => ({
  message: `no storage plugin ${pluginId} is running`,
  hint: `Running storage plugins: ${[...running].join(", ") || "none"}; see GET /v1/files/capabilities`,
});

export async function uploadToPlugin(
  providers: ReadonlyMap<string, StorageProvider>,
  target: PluginUploadTarget,
  file: Readable,
  options: { readonly maxBytes: number; readonly signal?: AbortSignal },
): Promise<Uploaded | UploadRefused> {
  let received = 0;
  const refused = (refusal: Omit<UploadRefused, "_tag" | "receivedBytes">): UploadRefused => ({
    _tag: "UploadRefused",
    ...refusal,
    receivedBytes: received,
  });
  const provider = providers.get(target.pluginId);
  if (provider === undefined) {
    file.resume();
    return refused({
      code: "WE-PLG-001",
      reason: "storage_refused",
      ...unknownStoragePlugin(target.pluginId, providers.keys()),
    });
  }
  let tooLarge = false;
  const limited = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      if (received > options.maxBytes) {
        tooLarge = true;
        done(new Error("the upload is over the limit"));
      } else done(null, chunk);
    },
  });
  file.on("error", (error) => limited.destroy(error));
  file.pipe(limited);
  const ref = {
    key: target.objectKey ?? `uploads/${randomUUID()}-${sanitizeUploadFileName(target.fileName)}`,
    ...(target.bucket === undefined ? {} : { bucket: target.bucket }),
  };
  const stored = await provider.put(ref, limited, options.signal ? { signal: options.signal } : {});
  if (isStorageFailure(stored)) {
    file.resume();
    if (tooLarge) return refused(tooLargeRefusal(options.maxBytes));
    return refused({
      code: storageFailureCodes[stored.reason],
      reason: stored.reason === "aborted" ? "aborted" : "storage_refused",
      message: stored.message,
      hint: stored.hint,
      ...(stored.cause === undefined ? {} : { cause: stored.cause }),
    });
  }
  return {
    _tag: "Uploaded",
    url: stored.url,
    path: "",
    sizeBytes: stored.sizeBytes,
    sha256: stored.checksum.replace(/^sha256:/, ""),
    async remove() {
      await provider.delete(ref);
    },
  };
}
