// storage-s3: objects in an S3 bucket (AWS S3, SeaweedFS, MinIO, R2 by endpoint). Bodies stream through
// a multipart upload in bounded parts, so memory stays flat whatever the size; URLs are presigned.
import { Readable } from "node:stream";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { browseEntry, browseListing, rootEntry } from "../sdk/browseListing.ts";
import { rangeHeader, refuseMalformedRange } from "../sdk/byteRange.ts";
import {
  keyFromUrlPath,
  parseFolderPath,
  parseKeyPrefix,
  parseStorageKey,
  urlPathOfKey,
} from "../sdk/storageKey.ts";
import {
  assertSignedUrlExpiry,
  type BrowseEntry,
  isStorageFailure,
  type ObjectRef,
  type StorageFailure,
  type StorageProvider,
  storageFailure,
} from "../sdk/storageProvider.ts";
import { multipartPut } from "./multipartPut.ts";
import { createPartBuffers } from "./partBuffers.ts";
import { s3Failure } from "./s3Failure.ts";

/** The plugin's config, as its plugin.toml describes it. */
export interface S3StorageConfig {
  /** Where objects go when a ref names no bucket. */
  readonly bucket: string;
  readonly region?: string;
  /** For SeaweedFS, MinIO, R2: `http://seaweedfs:8333`; AWS when left out. */
  readonly endpoint?: string;
  /** `http://endpoint/bucket/key` instead of `http://bucket.endpoint/key` (SeaweedFS, MinIO). */
  readonly force_path_style?: boolean;
  /** Without them the SDK's default chain is used (environment, profile, instance role). */
  readonly access_key_id?: string;
  readonly secret_access_key?: string;
  /** Multipart part size; 5 to 512, default 5. Memory per upload is about part size × (upload_concurrency + 1). */
  readonly part_size_mib?: number;
  /** Parts in flight per upload; default 2. */
  readonly upload_concurrency?: number;
  /** Attempts per request, retries included; default 3. */
  readonly max_attempts?: number;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const MAX_BROWSE_ENTRIES = 10_000;

const wholeSize = (contentRange: string | undefined, contentLength: number | undefined): number => {
  const total = contentRange === undefined ? undefined : /\/(\d+)$/.exec(contentRange)?.[1];
  return total === undefined ? (contentLength ?? 0) : Number(total);
};

const servedRange = (contentRange: string | undefined): { start: number; end: number } | null => {
  const match = contentRange === undefined ? null : /^bytes (\d+)-(\d+)\//.exec(contentRange);
  return match === null ? null : { start: Number(match[1]), end: Number(match[2]) };
};

export const createS3Storage = (config: S3StorageConfig): StorageProvider => {
  const client = new S3Client({
    region: config.region ?? "us-east-1",
    ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
    forcePathStyle: config.force_path_style ?? false,
    ...(config.access_key_id === undefined || config.secret_access_key === undefined
      ? {}
      : { credentials: { accessKeyId: config.access_key_id, secretAccessKey: config.secret_access_key } }),
    maxAttempts: config.max_attempts ?? 3,
    // S3-compatible stores (SeaweedFS, MinIO, R2) do not all take the SDK's default CRC checksums
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  // S3's smallest part; with 2 in flight an upload holds 3 parts (2 sent, 1 filling), 15 MiB
  const partSize = Math.min(Math.max(config.part_size_mib ?? 5, 5), 512) * 1024 * 1024;
  const queueSize = Math.max(config.upload_concurrency ?? 2, 1);
  // shared by the plugin's uploads: one upload's worth kept between them
  const buffers = createPartBuffers(partSize, queueSize + 1);

  const bucketOf = (bucket: string | undefined): string | StorageFailure => {
    const name = bucket === undefined || bucket === "" ? config.bucket : bucket;
    return BUCKET_NAME.test(name)
      ? name
      : storageFailure(
          "invalid_key",
          `'${name}' is not a bucket name.`,
          "Bucket names are 3 to 63 lower-case letters, digits, '.' and '-'.",
        );
  };

  /** The bucket and key of a ref, both held to their rules. */
  const place = (ref: ObjectRef): { Bucket: string; Key: string } | StorageFailure => {
    const bucket = bucketOf(ref.bucket);
    if (isStorageFailure(bucket)) return bucket;
    const segments = parseStorageKey(ref.key);
    return isStorageFailure(segments) ? segments : { Bucket: bucket, Key: ref.key };
  };

  const provider: StorageProvider = {
    async capabilities() {
      return {
        storageType: "s3",
        browse: true,
        upload: true,
        ranges: true,
        signedDownloadUrls: true,
        signedUploadUrls: true,
        multipart: true,
      };
    },

    async locate(url) {
      const match = /^s3:\/\/([^/]*)\/(.*)$/is.exec(url);
      if (match === null) {
        return storageFailure(
          "invalid_key",
          "A storage-s3 URL is s3://<bucket>/<key>.",
          "Use s3://<bucket>/<key>.",
        );
      }
      const bucket = bucketOf(match[1]!);
      if (isStorageFailure(bucket)) return bucket;
      const key = keyFromUrlPath(match[2]!);
      return isStorageFailure(key) ? key : { bucket, key };
    },

    async put(ref, body, options) {
      const target = place(ref);
      if (isStorageFailure(target)) {
        body.destroy();
        return target;
      }
      const put = await multipartPut(client, target, body, {
        partSize,
        queueSize,
        buffers,
        ...(options?.contentType === undefined ? {} : { contentType: options.contentType }),
        ...(options?.signal === undefined ? {} : { signal: options.signal }),
      });
      switch (put._tag) {
        case "Put":
          return {
            _tag: "Stored",
            bucket: target.Bucket,
            key: target.Key,
            url: `s3://${target.Bucket}/${urlPathOfKey(target.Key)}`,
            sizeBytes: put.sizeBytes,
            etag: put.etag,
            checksum: `sha256:${put.sha256}`,
          };
        case "BodyFailed":
          return storageFailure(
            "aborted",
            "The body ended before it was complete; nothing was stored.",
            "Send the whole body again.",
            put.error,
          );
        case "StoreFailed":
          return s3Failure(put.error, target.Bucket);
      }
    },

    async get(ref, options) {
      const target = place(ref);
      if (isStorageFailure(target)) return target;
      const range = options?.range;
      const malformed = range === undefined ? undefined : refuseMalformedRange(range);
      if (malformed !== undefined) return malformed;
      try {
        const got = await client.send(
          new GetObjectCommand({ ...target, ...(range === undefined ? {} : { Range: rangeHeader(range) }) }),
          options?.signal === undefined ? {} : { abortSignal: options.signal },
        );
        return {
          _tag: "ObjectBody",
          metadata: {
            _tag: "ObjectMetadata",
            bucket: target.Bucket,
            key: target.Key,
            sizeBytes: wholeSize(got.ContentRange, got.ContentLength),
            etag: got.ETag ?? "",
            contentType: got.ContentType ?? "application/octet-stream",
            modifiedAt: (got.LastModified ?? new Date(0)).toISOString(),
          },
          body: got.Body instanceof Readable ? got.Body : Readable.from([]),
          range: range === undefined ? null : servedRange(got.ContentRange),
        };
      } catch (error) {
        return s3Failure(error, target.Bucket);
      }
    },

    async head(ref) {
      const target = place(ref);
      if (isStorageFailure(target)) return target;
      try {
        const head = await client.send(new HeadObjectCommand(target));
        return {
          _tag: "ObjectMetadata",
          bucket: target.Bucket,
          key: target.Key,
          sizeBytes: head.ContentLength ?? 0,
          etag: head.ETag ?? "",
          contentType: head.ContentType ?? "application/octet-stream",
          modifiedAt: (head.LastModified ?? new Date(0)).toISOString(),
        };
      } catch (error) {
        return s3Failure(error, target.Bucket);
      }
    },

    async readableLocation(ref, request) {
      const head = await provider.head(ref);
      if (isStorageFailure(head)) return head;
      const signed = await provider.signedUrl({
        ref,
        method: "GET",
        expiresInSeconds: request.expiresInSeconds,
      });
      return isStorageFailure(signed)
        ? signed
        : { _tag: "Url", url: signed.url, expiresAt: signed.expiresAt };
    },

    async delete(ref) {
      const target = place(ref);
      if (isStorageFailure(target)) return target;
      try {
        await client.send(new DeleteObjectCommand(target));
        return { _tag: "Deleted" };
      } catch (error) {
        return s3Failure(error, target.Bucket);
      }
    },

    async list(request) {
      const bucket = bucketOf(request.bucket);
      if (isStorageFailure(bucket)) return bucket;
      const prefix = parseKeyPrefix(request.prefix ?? "");
      if (isStorageFailure(prefix)) return prefix;
      let page: ListObjectsV2CommandOutput;
      try {
        page = await client.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: request.prefix ?? "",
            ...(request.delimiter === undefined ? {} : { Delimiter: request.delimiter }),
            MaxKeys: Math.min(Math.max(request.maxKeys ?? 1000, 1), 1000),
            ...(request.continuationToken === undefined
              ? {}
              : { ContinuationToken: request.continuationToken }),
          }),
        );
      } catch (error) {
        return s3Failure(error, bucket);
      }
      return {
        _tag: "ListPage",
        objects: (page.Contents ?? []).map((object) => ({
          key: object.Key ?? "",
          sizeBytes: object.Size ?? 0,
          etag: object.ETag ?? "",
          modifiedAt: (object.LastModified ?? new Date(0)).toISOString(),
        })),
        commonPrefixes: (page.CommonPrefixes ?? []).flatMap((common) =>
          common.Prefix === undefined ? [] : [common.Prefix],
        ),
        nextContinuationToken: page.IsTruncated === true ? (page.NextContinuationToken ?? null) : null,
      };
    },

    async browseRoots() {
      return {
        _tag: "BrowseRoots",
        roots: [rootEntry(config.bucket)],
      };
    },

    async browse(request) {
      const bucket = bucketOf(request.bucket);
      if (isStorageFailure(bucket)) return bucket;
      const folder = parseFolderPath(request.path);
      if (isStorageFailure(folder)) return folder;
      const prefix = folder.map((segment) => `${segment}/`).join("");
      const entries: BrowseEntry[] = [];
      let token: string | undefined;
      try {
        do {
          const page = await client.send(
            new ListObjectsV2Command({
              Bucket: bucket,
              Prefix: prefix,
              Delimiter: "/",
              ...(token === undefined ? {} : { ContinuationToken: token }),
            }),
          );
          for (const common of page.CommonPrefixes ?? []) {
            const name = common.Prefix?.slice(prefix.length, -1) ?? "";
            if (name !== "") entries.push(browseEntry(folder, name, "directory"));
          }
          for (const object of page.Contents ?? []) {
            const name = object.Key?.slice(prefix.length) ?? "";
            // "folder/" markers some tools write are the folder itself, not an entry in it
            if (name === "") continue;
            entries.push(
              browseEntry(folder, name, {
                sizeBytes: object.Size ?? 0,
                modifiedAt: (object.LastModified ?? new Date(0)).toISOString(),
              }),
            );
          }
          token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
        } while (token !== undefined && entries.length < MAX_BROWSE_ENTRIES);
      } catch (error) {
        return s3Failure(error, bucket);
      }
      // a folder exists in S3 only while some key lies under it
      if (folder.length > 0 && entries.length === 0) {
        return storageFailure("not_found", "No folder has this path.", "Browse a folder that holds objects.");
      }
      return browseListing(folder, entries, request);
    },

    async signedUrl(request) {
      const target = place(request.ref);
      if (isStorageFailure(target)) return target;
      const { expiresInSeconds } = request;
      assertSignedUrlExpiry(expiresInSeconds);
      const contentType = request.method === "PUT" ? request.contentType : undefined;
      const command =
        request.method === "GET"
          ? new GetObjectCommand(target)
          : new PutObjectCommand({
              ...target,
              ...(contentType === undefined ? {} : { ContentType: contentType }),
            });
      const signedAt = Date.now();
      const url = await getSignedUrl(client, command, {
        expiresIn: expiresInSeconds,
        ...(contentType === undefined ? {} : { signableHeaders: new Set(["content-type"]) }),
      });
      const headers: Record<string, string> =
        contentType === undefined ? {} : { "content-type": contentType };
      return {
        _tag: "SignedUrl",
        url,
        method: request.method,
        headers,
        expiresAt: new Date(signedAt + expiresInSeconds * 1000).toISOString(),
      };
    },

    async close() {
      client.destroy();
    },
  };
  return provider;
};
