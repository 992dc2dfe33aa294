// An uploaded file streamed to the storage plugin a form names (plugin_id, bucket, object_key), under the
// same size limit as uploads into the media root; a refused or aborted file leaves no object behind.
import { randomUUID } from "node:crypto";
import { type Readable, Transform } from "node:stream";
import {
  isStorageFailure,
  type ObjectRef,
  type StorageProvider,
  type Stored,
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

/** Streams `file` into `ref` of `provider`, refusing it once it passes `maxBytes`; nothing is left of a refused one. */
export async function putWithinLimit(
  provider: StorageProvider,
  ref: ObjectRef,
  file: Readable,
  options: { readonly maxBytes: number; readonly signal?: AbortSignal; readonly contentType?: string },
): Promise<Stored | UploadRefused> {
  let received = 0;
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
  const stored = await provider.put(ref, limited, {
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
  });
  if (!isStorageFailure(stored)) return stored;
  file.resume();
  const refusal = tooLarge
    ? tooLargeRefusal(options.maxBytes)
    : {
        code: storageFailureCodes[stored.reason],
        reason: stored.reason === "aborted" ? ("aborted" as const) : ("storage_refused" as const),
        message: stored.message,
        hint: stored.hint,
        ...(stored.cause === undefined ? {} : { cause: stored.cause }),
      };
  return { _tag: "UploadRefused", ...refusal, receivedBytes: received };
}

export async function uploadToPlugin(
  providers: ReadonlyMap<string, StorageProvider>,
  target: PluginUploadTarget,
  file: Readable,
  options: { readonly maxBytes: number; readonly signal?: AbortSignal },
): Promise<Uploaded | UploadRefused> {
  const provider = providers.get(target.pluginId);
  if (provider === undefined) {
    file.resume();
    return {
      _tag: "UploadRefused",
      code: "WE-PLG-001",
      reason: "storage_refused",
      ...unknownStoragePlugin(target.pluginId, providers.keys()),
      receivedBytes: 0,
    };
  }
  const ref = {
    key: target.objectKey ?? `uploads/${randomUUID()}-${sanitizeUploadFileName(target.fileName)}`,
    ...(target.bucket === undefined ? {} : { bucket: target.bucket }),
  };
  const stored = await putWithinLimit(provider, ref, file, options);
  if (stored._tag === "UploadRefused") return stored;
  return {
    _tag: "Uploaded",
    url: stored.url,
    /** Not in the media folder: `remove` takes it back. */
    path: "",
    sizeBytes: stored.sizeBytes,
    sha256: stored.checksum.replace(/^sha256:/, ""),
    async remove() {
      await provider.delete(ref);
    },
  };
}
