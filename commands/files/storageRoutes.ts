// The files API over the storage plugins: capabilities, browse roots, folder listings, signed upload URLs,
// and the kernel route that takes a storage-fs signed upload (the signature is the permission).
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { Hono } from "hono";
import { ApiError } from "../../infra/http/apiError.ts";
import type { HttpEnv } from "../../infra/http/httpEnv.ts";
import { parseJsonBody, parseQuery } from "../../infra/http/parseRequest.ts";
import { requireRole } from "../../infra/http/requireRole.ts";
import {
  type BrowseEntry,
  isStorageFailure,
  type ObjectRef,
  type StorageFailure,
  type StorageProvider,
  storageFailureCodes,
} from "../../plugins/sdk/storageProvider.ts";
import {
  type BrowseResponse,
  browseQuerySchema,
  type StorageCapabilitiesResponse,
  type StorageRootsResponse,
  type UploadUrlResponse,
  uploadUrlRequestSchema,
} from "../../schemas/api/fileRequests.ts";
import { putWithinLimit, unknownStoragePlugin } from "./uploadToStorage.ts";

/** A provider's failure in the error envelope, with its hint; the backend's own error goes to the log only. */
export function storageError(failure: StorageFailure, log?: (message: string) => void): ApiError {
  if (failure.cause !== undefined) log?.(`storage: ${failure.message} (${String(failure.cause)})`);
  return new ApiError(storageFailureCodes[failure.reason], failure.message, { hint: failure.hint });
}

const succeeded = <T>(result: T | StorageFailure, log?: (message: string) => void): T => {
  if (isStorageFailure(result)) throw storageError(result, log);
  return result;
};

export function providerOf(storage: StorageProviders, pluginId: string): StorageProvider {
  const provider = storage.byId.get(pluginId);
  if (provider === undefined) {
    const { message, hint } = unknownStoragePlugin(pluginId, storage.byId.keys());
    throw new ApiError("WE-PLG-001", message, { hint });
  }
  return provider;
}

/** The bucket an S3 provider writes to when none is named: its one browse root. */
const defaultBucketOf = async (provider: StorageProvider): Promise<string> =>
  succeeded(await provider.browseRoots()).roots[0]?.name ?? "";

const entryBody = (entry: BrowseEntry) => ({
  name: entry.name,
  path: entry.path,
  is_directory: entry.isDirectory,
  size: entry.sizeBytes,
  modified_at: entry.modifiedAt,
  extension: entry.extension,
  kind: entry.kind,
  is_video: entry.kind === "video",
});

/** A provider that serves its own signed links through the kernel (storage-fs). */
export interface KernelSignedStorage extends StorageProvider {
  verifySignedRequest(request: {
    method: "GET" | "PUT";
    url: string;
    contentType?: string;
  }): ObjectRef | StorageFailure;
}

export interface StorageProviders {
  /** Where signed kernel upload links go; null when storage-fs is disabled. */
  readonly fs: KernelSignedStorage | null;
  /** Every running provider by plugin id. */
  readonly byId: ReadonlyMap<string, StorageProvider>;
}

export interface StorageRoutesOptions {
  storage: StorageProviders;
  log?: (message: string) => void;
}

/** Routes behind a bearer token. Capabilities are no secret (viewer); what lies in storage is (operator). */
export function storageRoutes({ storage, log }: StorageRoutesOptions) {
  const providers = () => [...storage.byId.entries()];
  return new Hono<HttpEnv>()
    .get("/v1/files/capabilities", requireRole("viewer"), async (c) => {
      const body: StorageCapabilitiesResponse = await Promise.all(
        providers().map(async ([pluginId, provider]) => {
          const can = await provider.capabilities();
          return {
            plugin_id: pluginId,
            storage_type: can.storageType,
            supports_browse: can.browse,
            supports_upload: can.upload,
            supports_ranges: can.ranges,
            supports_signed_download_urls: can.signedDownloadUrls,
            supports_signed_upload_urls: can.signedUploadUrls,
            supports_multipart: can.multipart,
          };
        }),
      );
      return c.json(body);
    })
    .get("/v1/files/roots", requireRole("operator"), async (c) => {
      const body: StorageRootsResponse = [];
      for (const [pluginId, provider] of providers()) {
        const { storageType } = await provider.capabilities();
        const { roots } = succeeded(await provider.browseRoots(), log);
        for (const root of roots) {
          body.push({
            plugin_id: pluginId,
            name: root.name,
            path: root.path,
            storage_type: storageType,
            bucket: storageType === "s3" ? root.name : null,
          });
        }
      }
      return c.json(body);
    })
    .get("/v1/files/browse", requireRole("operator"), async (c) => {
      const query = parseQuery(c, browseQuerySchema);
      const listing = succeeded(
        await providerOf(storage, query.plugin).browse({
          path: query.path,
          mediaOnly: query.media_only,
          showHidden: query.show_hidden,
          ...(query.bucket === undefined ? {} : { bucket: query.bucket }),
          ...(query.search === undefined ? {} : { search: query.search }),
        }),
        log,
      );
      const body: BrowseResponse = {
        plugin_id: query.plugin,
        bucket: query.bucket ?? null,
        current_path: listing.currentPath,
        parent_path: listing.parentPath,
        entries: listing.entries.map(entryBody),
      };
      return c.json(body);
    })
    .post("/v1/files/upload-url", requireRole("operator"), async (c) => {
      const request = await parseJsonBody(c, uploadUrlRequestSchema);
      const provider = providerOf(storage, request.plugin_id);
      const ref = {
        key: request.object_key,
        ...(request.bucket === undefined ? {} : { bucket: request.bucket }),
      };
      const signed = succeeded(
        await provider.signedUrl({
          ref,
          method: "PUT",
          expiresInSeconds: request.expires_in_seconds,
          ...(request.content_type === undefined ? {} : { contentType: request.content_type }),
        }),
        log,
      );
      const { storageType } = await provider.capabilities();
      const key = request.object_key.split("/").map(encodeURIComponent).join("/");
      const body: UploadUrlResponse = {
        plugin_id: request.plugin_id,
        upload_url: signed.url,
        method: "PUT",
        headers: { ...signed.headers },
        expires_at: signed.expiresAt,
        source_url:
          storageType === "s3"
            ? `s3://${ref.bucket ?? (await defaultBucketOf(provider))}/${key}`
            : `fs://${key}`,
      };
      return c.json(body, 201);
    });
}

/** PUT of a storage-fs signed upload link: no bearer token, the signature is the permission. */
export function signedUploadRoutes({
  storage,
  log,
  path,
  maxBytes,
}: StorageRoutesOptions & {
  /** The provider's signed upload path. */
  path: string;
  /** The upload limit, as for POST /v1/files/upload. */
  maxBytes: number;
}) {
  return new Hono<HttpEnv>().put(path, async (c) => {
    const fs = storage.fs;
    if (fs === null) throw new ApiError("WE-PLG-002", "the storage-fs plugin is disabled");
    const contentType = c.req.header("content-type");
    const ref = succeeded(
      fs.verifySignedRequest({
        method: "PUT",
        url: c.req.url,
        ...(contentType === undefined ? {} : { contentType }),
      }),
      log,
    );
    const body = c.req.raw.body;
    if (!body) throw new ApiError("WE-JOB-001", "the upload body is empty");
    const stored = await putWithinLimit(fs, ref, Readable.fromWeb(body as WebReadableStream), {
      maxBytes,
      signal: c.req.raw.signal,
      ...(contentType === undefined ? {} : { contentType }),
    });
    if (stored._tag === "UploadRefused") {
      if (stored.cause !== undefined) log?.(`signed upload refused by the storage: ${String(stored.cause)}`);
      throw new ApiError(stored.code, stored.message, {
        hint: stored.hint,
        ...(stored.status === undefined ? {} : { status: stored.status }),
      });
    }
    return c.json({ url: stored.url, size_bytes: stored.sizeBytes, sha256: stored.checksum.slice(7) }, 201);
  });
}
