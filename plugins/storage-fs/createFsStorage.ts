// storage-fs: objects are files under one root folder, keys are their paths below it. Keys are held to
// the SDK's rules and every real path to the root; writes are atomic; signed links are served by the kernel.
import { mkdir, open, realpath, rmdir, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { rootEntry } from "../sdk/browseListing.ts";
import { refuseMalformedRange, unsatisfiableRange } from "../sdk/byteRange.ts";
import { contentTypeOf } from "../sdk/mediaKind.ts";
import {
  keyFromUrlPath,
  parseFolderPath,
  parseKeyPrefix,
  parseStorageKey,
  urlPathOfKey,
} from "../sdk/storageKey.ts";
import {
  assertSignedUrlExpiry,
  isStorageFailure,
  type ObjectMetadata,
  type ObjectRef,
  type StorageFailure,
  type StorageProvider,
  storageFailure,
} from "../sdk/storageProvider.ts";
import { WHOLE_FILE_READ } from "../sdk/wholeFileRead.ts";
import type { AtomicFileSystem } from "./atomicFileSystem.ts";
import { browseFsFolder } from "./browseFsFolder.ts";
import { etagOf } from "./etagOf.ts";
import { errnoOf, fsFailure } from "./fsFailure.ts";
import { createFsUrlSigner, type SignedRequest } from "./fsUrlSigner.ts";
import { listFsObjects } from "./listFsObjects.ts";
import { ensureFolder, isInsideDirectory, resolveExisting } from "./resolveInRoot.ts";
import { PARTIAL_PREFIX, writeAtomically } from "./writeAtomically.ts";

/** The plugin's config, as its plugin.toml describes it. */
export interface FsStorageConfig {
  /** The folder that holds every object; made when missing. */
  readonly root: string;
  /** Secret for signed links (at least 32 characters). */
  readonly signing_key: string;
  /** The kernel's public base URL, for absolute signed links; without it links are kernel paths. */
  readonly public_url?: string;
}

export interface FsStorage extends StorageProvider {
  /** The key a signed kernel link grants, for the kernel's download and upload routes. */
  verifySignedRequest(request: SignedRequest): ObjectRef | StorageFailure;
}

const bucketGiven = (bucket: string | undefined): StorageFailure | undefined =>
  bucket === undefined || bucket === ""
    ? undefined
    : storageFailure("invalid_key", "storage-fs has no buckets.", "Leave the bucket out for fs:// objects.");

const segmentsOf = (ref: ObjectRef): readonly string[] | StorageFailure => {
  const bucket = bucketGiven(ref.bucket);
  if (bucket !== undefined) return bucket;
  const segments = parseStorageKey(ref.key);
  if (isStorageFailure(segments)) return segments;
  if (segments.some((segment) => segment.startsWith(PARTIAL_PREFIX))) {
    return storageFailure(
      "invalid_key",
      `Names starting with ${PARTIAL_PREFIX} are reserved.`,
      "Pick another name.",
    );
  }
  return segments;
};

const notAFile = (): StorageFailure =>
  storageFailure("not_found", "The key names a folder, not a file.", "Name a file inside the folder.");

export const createFsStorage = async (
  config: FsStorageConfig,
  /** Where writes go; the real file system unless a test needs a failing one. */
  files?: AtomicFileSystem,
): Promise<FsStorage> => {
  if (config.signing_key.length < 32)
    throw new RangeError("storage-fs: signing_key must be at least 32 characters");
  await mkdir(config.root, { recursive: true });
  const root = await realpath(config.root);
  const signer = createFsUrlSigner(config.signing_key, config.public_url ?? "");

  const metadataAt = async (key: string, path: string): Promise<ObjectMetadata | StorageFailure> => {
    try {
      const info = await stat(path);
      if (!info.isFile()) return notAFile();
      return {
        _tag: "ObjectMetadata",
        key,
        sizeBytes: info.size,
        etag: etagOf(info),
        contentType: contentTypeOf(key),
        modifiedAt: info.mtime.toISOString(),
      };
    } catch (error) {
      return fsFailure(error);
    }
  };

  /** Folders left empty go, as a prefix does in S3 once no key lies under it; the root stays. */
  const pruneEmptyFolders = async (folder: string): Promise<void> => {
    let current = folder;
    while (current !== root && isInsideDirectory(root, current)) {
      try {
        await rmdir(current);
      } catch {
        return; // not empty (or already gone, or in use): what lies above is not empty either
      }
      current = dirname(current);
    }
  };

  const existingFile = async (ref: ObjectRef): Promise<string | StorageFailure> => {
    const segments = segmentsOf(ref);
    return isStorageFailure(segments) ? segments : resolveExisting(root, segments);
  };

  return {
    async capabilities() {
      return {
        storageType: "fs",
        browse: true,
        upload: true,
        ranges: true,
        signedDownloadUrls: true,
        signedUploadUrls: true,
        multipart: false,
      };
    },

    async locate(url) {
      if (!/^fs:\/\//i.test(url)) {
        return storageFailure(
          "invalid_key",
          "A storage-fs URL starts with fs://.",
          "Use fs://<folder>/<file>.",
        );
      }
      const key = keyFromUrlPath(url.slice("fs://".length));
      return isStorageFailure(key) ? key : { key };
    },

    async put(ref, body, options) {
      const segments = segmentsOf(ref);
      if (isStorageFailure(segments)) {
        body.destroy();
        return segments;
      }
      const folder = await ensureFolder(root, segments.slice(0, -1));
      if (isStorageFailure(folder)) {
        body.destroy();
        return folder;
      }
      const written = await writeAtomically(folder, segments.at(-1)!, body, options?.signal, files);
      if (isStorageFailure(written)) return written;
      const metadata = await metadataAt(ref.key, written.path);
      if (isStorageFailure(metadata)) return metadata;
      return {
        _tag: "Stored",
        key: ref.key,
        url: `fs://${urlPathOfKey(ref.key)}`,
        sizeBytes: written.sizeBytes,
        etag: metadata.etag,
        checksum: written.checksum,
      };
    },

    async get(ref, options) {
      const range = options?.range;
      const malformed = range === undefined ? undefined : refuseMalformedRange(range);
      if (malformed !== undefined) return malformed;
      const path = await existingFile(ref);
      if (isStorageFailure(path)) return path;
      // size and bytes come from the one open file, so a concurrent rename cannot mix two versions
      let handle: Awaited<ReturnType<typeof open>>;
      try {
        handle = await open(path, "r");
      } catch (error) {
        return errnoOf(error) === "EISDIR" ? notAFile() : fsFailure(error);
      }
      const metadata = await metadataAt(ref.key, path);
      if (isStorageFailure(metadata)) {
        await handle.close();
        return metadata;
      }
      if (range === undefined) {
        return {
          _tag: "ObjectBody",
          metadata,
          body: handle.createReadStream(WHOLE_FILE_READ),
          range: null,
        };
      }
      if (range.start >= metadata.sizeBytes) {
        await handle.close();
        return unsatisfiableRange(metadata.sizeBytes);
      }
      const end = Math.min(range.end ?? Number.MAX_SAFE_INTEGER, metadata.sizeBytes - 1);
      return {
        _tag: "ObjectBody",
        metadata,
        body: handle.createReadStream({ start: range.start, end }),
        range: { start: range.start, end },
      };
    },

    async head(ref) {
      const path = await existingFile(ref);
      return isStorageFailure(path) ? path : metadataAt(ref.key, path);
    },

    async readableLocation(ref, request) {
      assertSignedUrlExpiry(request.expiresInSeconds);
      // the real path, checked to lie inside the root: a reader opening it follows no link of its own
      const path = await existingFile(ref);
      if (isStorageFailure(path)) return path;
      const metadata = await metadataAt(ref.key, path);
      return isStorageFailure(metadata) ? metadata : { _tag: "LocalFile", path };
    },

    async delete(ref) {
      const segments = segmentsOf(ref);
      if (isStorageFailure(segments)) return segments;
      // the folder is resolved, the name is not: a symlink is removed itself, never what it points at
      const folder = await resolveExisting(root, segments.slice(0, -1));
      if (isStorageFailure(folder)) return folder.reason === "not_found" ? { _tag: "Deleted" } : folder;
      try {
        await unlink(join(folder, segments.at(-1)!));
      } catch (error) {
        const code = errnoOf(error);
        if (code === "ENOENT") return { _tag: "Deleted" };
        if (code === "EISDIR" || code === "EPERM") {
          const info = await stat(join(folder, segments.at(-1)!)).catch(() => undefined);
          if (info?.isDirectory()) return notAFile();
        }
        return fsFailure(error);
      }
      await pruneEmptyFolders(folder);
      return { _tag: "Deleted" };
    },

    async list(request) {
      const bucket = bucketGiven(request.bucket);
      if (bucket !== undefined) return bucket;
      const prefix = parseKeyPrefix(request.prefix ?? "");
      if (isStorageFailure(prefix)) return prefix;
      return listFsObjects(root, prefix, request);
    },

    async browseRoots() {
      return {
        _tag: "BrowseRoots",
        roots: [rootEntry(basename(root))],
      };
    },

    async browse(request) {
      const bucket = bucketGiven(request.bucket);
      if (bucket !== undefined) return bucket;
      const folder = parseFolderPath(request.path);
      if (isStorageFailure(folder)) return folder;
      return browseFsFolder(root, folder, request);
    },

    async signedUrl(request) {
      const segments = segmentsOf(request.ref);
      if (isStorageFailure(segments)) return segments;
      const { expiresInSeconds } = request;
      assertSignedUrlExpiry(expiresInSeconds);
      const expiresAtSec = Math.floor(Date.now() / 1000) + expiresInSeconds;
      const contentType = request.method === "PUT" ? request.contentType : undefined;
      const headers: Record<string, string> =
        contentType === undefined ? {} : { "content-type": contentType };
      return {
        _tag: "SignedUrl",
        url: signer.sign(request.method, request.ref.key, expiresAtSec, contentType),
        method: request.method,
        headers,
        expiresAt: new Date(expiresAtSec * 1000).toISOString(),
      };
    },

    verifySignedRequest(request) {
      const ref = signer.verify(request, Date.now());
      if (isStorageFailure(ref)) return ref;
      const segments = segmentsOf(ref);
      return isStorageFailure(segments) ? segments : ref;
    },

    async close() {},
  };
};
