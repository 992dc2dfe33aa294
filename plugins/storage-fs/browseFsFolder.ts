// One folder of the storage root for the browse view; symlinks are shown only where they stay inside the root.
import type { Dirent } from "node:fs";
import { readdir, realpath, stat } from "node:fs/promises";
import { join } from "node:path";
import { browseEntry, browseListing } from "../sdk/browseListing.ts";
import type { BrowseEntry, BrowseListing, BrowseRequest, StorageFailure } from "../sdk/storageProvider.ts";
import { fsFailure } from "./fsFailure.ts";
import { isInsideDirectory, resolveExisting } from "./resolveInRoot.ts";
import { PARTIAL_PREFIX } from "./writeAtomically.ts";

const entryOf = async (root: string, folder: readonly string[], path: string, entry: Dirent) => {
  const real = entry.isSymbolicLink() ? await realpath(path).catch(() => "") : path;
  if (real !== path && !isInsideDirectory(root, real)) return undefined;
  const info = await stat(real).catch(() => undefined);
  if (info === undefined) return undefined;
  if (info.isDirectory()) return browseEntry(folder, entry.name, "directory");
  if (!info.isFile()) return undefined;
  return browseEntry(folder, entry.name, { sizeBytes: info.size, modifiedAt: info.mtime.toISOString() });
};

export const browseFsFolder = async (
  root: string,
  folder: readonly string[],
  request: BrowseRequest,
): Promise<BrowseListing | StorageFailure> => {
  const path = await resolveExisting(root, folder);
  if (typeof path !== "string") return path;
  let dirents: Dirent[];
  try {
    dirents = await readdir(path, { withFileTypes: true });
  } catch (error) {
    return fsFailure(error);
  }
  const entries: BrowseEntry[] = [];
  for (const dirent of dirents) {
    if (dirent.name.startsWith(PARTIAL_PREFIX)) continue;
    const entry = await entryOf(root, folder, join(path, dirent.name), dirent);
    if (entry !== undefined) entries.push(entry);
  }
  return browseListing(folder, entries, request);
};
