// S3's ListObjectsV2 over a folder tree: keys in UTF-8 byte order, an optional `/` delimiter that rolls
// deeper keys up into common prefixes, and pages resumed after the last key handed out. Each page walks
// the prefix's folder again, so a page costs the size of that subtree, not of the page.
import type { Dirent } from "node:fs";
import { readdir, realpath, stat } from "node:fs/promises";
import { join } from "node:path";
import type { KeyPrefix } from "../sdk/storageKey.ts";
import {
  type ListPage,
  type ObjectSummary,
  type StorageFailure,
  storageFailure,
} from "../sdk/storageProvider.ts";
import { etagOf } from "./etagOf.ts";
import { errnoOf, fsFailure } from "./fsFailure.ts";
import { isInsideDirectory, resolveExisting } from "./resolveInRoot.ts";
import { PARTIAL_PREFIX } from "./writeAtomically.ts";

const MAX_KEYS = 1000;

type Listed =
  | { readonly kind: "object"; readonly object: ObjectSummary }
  | { readonly kind: "prefix"; readonly key: string };

const keyOfListed = (entry: Listed): string => (entry.kind === "object" ? entry.object.key : entry.key);

const byUtf8 = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

export const encodeToken = (key: string): string => Buffer.from(key).toString("base64url");

const decodeToken = (token: string): string | StorageFailure => {
  const key = Buffer.from(token, "base64url").toString();
  return key.length > 0 && encodeToken(key) === token
    ? key
    : storageFailure(
        "invalid_key",
        "The continuation token is not one this storage gave out.",
        "Start the listing again.",
      );
};

/** A regular file's summary, following a symlink only to a file inside the root; undefined to skip it. */
const summarize = async (
  root: string,
  path: string,
  entry: Dirent,
  key: string,
): Promise<ObjectSummary | undefined> => {
  let real = path;
  if (entry.isSymbolicLink()) {
    real = await realpath(path).catch(() => "");
    if (!isInsideDirectory(root, real)) return undefined;
  }
  const info = await stat(real).catch(() => undefined);
  if (info === undefined || !info.isFile()) return undefined;
  return { key, sizeBytes: info.size, etag: etagOf(info), modifiedAt: info.mtime.toISOString() };
};

/** Every key below `folder` whose name in it starts with `namePrefix`; deeper folders roll up when `rollUp`. */
const collect = async (
  root: string,
  folder: string,
  folderKey: string,
  namePrefix: string,
  rollUp: boolean,
  into: Listed[],
): Promise<void> => {
  let entries: Dirent[];
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch (error) {
    if (errnoOf(error) === "ENOENT" || errnoOf(error) === "ENOTDIR") return;
    throw error;
  }
  for (const entry of entries) {
    if (!entry.name.startsWith(namePrefix) || entry.name.startsWith(PARTIAL_PREFIX)) continue;
    const key = `${folderKey}${entry.name}`;
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      if (rollUp) into.push({ kind: "prefix", key: `${key}/` });
      else await collect(root, path, `${key}/`, "", false, into);
      continue;
    }
    const object = await summarize(root, path, entry, key);
    if (object !== undefined) into.push({ kind: "object", object });
  }
};

export const listFsObjects = async (
  root: string,
  prefix: KeyPrefix,
  options: { readonly delimiter?: "/"; readonly maxKeys?: number; readonly continuationToken?: string },
): Promise<ListPage | StorageFailure> => {
  const after = options.continuationToken === undefined ? undefined : decodeToken(options.continuationToken);
  if (typeof after === "object") return after;
  const maxKeys = Math.min(Math.max(options.maxKeys ?? MAX_KEYS, 1), MAX_KEYS);

  const folder = await resolveExisting(root, prefix.folder);
  if (typeof folder !== "string") {
    return folder.reason === "not_found"
      ? { _tag: "ListPage", objects: [], commonPrefixes: [], nextContinuationToken: null }
      : folder;
  }
  const listed: Listed[] = [];
  const folderKey = prefix.folder.map((segment) => `${segment}/`).join("");
  try {
    await collect(root, folder, folderKey, prefix.namePrefix, options.delimiter === "/", listed);
  } catch (error) {
    return fsFailure(error);
  }
  listed.sort((a, b) => byUtf8(keyOfListed(a), keyOfListed(b)));
  const remaining =
    after === undefined ? listed : listed.filter((entry) => byUtf8(keyOfListed(entry), after) > 0);
  const page = remaining.slice(0, maxKeys);
  const last = page.at(-1);
  return {
    _tag: "ListPage",
    objects: page.flatMap((entry) => (entry.kind === "object" ? [entry.object] : [])),
    commonPrefixes: page.flatMap((entry) => (entry.kind === "prefix" ? [entry.key] : [])),
    nextContinuationToken:
      remaining.length > maxKeys && last !== undefined ? encodeToken(keyOfListed(last)) : null,
  };
};
