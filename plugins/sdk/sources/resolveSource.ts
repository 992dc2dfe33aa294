// Where a job's source is read from, checked the same way at submit, by the planner and by each worker: fs:// and
// s3:// URLs through the storage provider of their scheme (the object must exist and be readable; the
// encoder gets a checked local file or a presigned URL), http(s) URLs past the SSRF guard.
import type { SourceStorage } from "../mediaStorage.ts";
import { isStorageFailure, type ObjectRef, type StorageFailure } from "../storageProvider.ts";
import { refusalOfStorageFailure } from "./refusalOfStorageFailure.ts";
import { type SourceRefused, sourceRefused } from "./sourceRefused.ts";
import { checkRemoteSource, type RemoteSourceOptions } from "./ssrfGuard.ts";

export type ReadableSource =
  | {
      _tag: "StoredSource";
      ref: ObjectRef;
      sizeBytes: number;
      /** What the encoder opens: a checked local path, or a presigned URL. */
      input: string;
    }
  | { _tag: "RemoteSource"; url: string };

export interface SourceAccess {
  storage: SourceStorage;
  remoteSources?: RemoteSourceOptions;
}

/** Long enough for the slowest encode to read a presigned source to its end. */
export const SOURCE_URL_SECONDS = 24 * 3600;

const STORED_SCHEME = /^(fs|s3):\/\//i;

export async function resolveSource(
  sourceUrl: string,
  access: SourceAccess,
): Promise<ReadableSource | SourceRefused | StorageFailure> {
  const scheme = STORED_SCHEME.exec(sourceUrl)?.[1]?.toLowerCase();
  if (scheme !== undefined) {
    const provider = access.storage.forSource(sourceUrl);
    if (provider === null) {
      const plugin = scheme === "fs" ? "storage-fs" : "storage-s3";
      return sourceRefused(
        "unsupported_scheme",
        `${scheme}:// sources need the ${plugin} plugin, and it is not enabled here.`,
        `Enable ${plugin} in plugins.toml, or submit the source another way.`,
      );
    }
    const ref = await provider.locate(sourceUrl);
    if (isStorageFailure(ref)) return refusalOfStorageFailure(ref);
    const metadata = await provider.head(ref);
    if (isStorageFailure(metadata)) return refusalOfStorageFailure(metadata);
    const location = await provider.readableLocation(ref, { expiresInSeconds: SOURCE_URL_SECONDS });
    if (isStorageFailure(location)) return refusalOfStorageFailure(location);
    return {
      _tag: "StoredSource",
      ref,
      sizeBytes: metadata.sizeBytes,
      input: location._tag === "LocalFile" ? location.path : location.url,
    };
  }
  if (/^https?:\/\//i.test(sourceUrl)) {
    const allowed = await checkRemoteSource(sourceUrl, access.remoteSources);
    return allowed._tag === "Allowed" ? { _tag: "RemoteSource", url: allowed.url } : allowed;
  }
  const given = /^([a-z][a-z0-9+.-]*):/i.exec(sourceUrl)?.[1] ?? "this";
  return sourceRefused(
    "unsupported_scheme",
    `${given}: URLs cannot be job sources.`,
    "Use fs://<path in the media root> (upload with POST /v1/files/upload), s3://<bucket>/<key> or an http(s):// URL.",
  );
}

/** What the encoder plugin is handed. */
export const encoderInputOf = (source: ReadableSource): string =>
  source._tag === "StoredSource" ? source.input : source.url;
