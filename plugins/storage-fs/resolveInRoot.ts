// Turns key segments into real paths that stay inside the storage root. Symlinks are followed (the root
// itself may be one) and every real path must still lie inside the root's real path; folders a write
// needs are made one level at a time, so a symlinked folder pointing outside is refused, never entered.
import { lstat, mkdir, realpath, stat } from "node:fs/promises";
import { isAbsolute, join, relative, sep } from "node:path";
import { type StorageFailure, storageFailure } from "../sdk/storageProvider.ts";
import { errnoOf, fsFailure } from "./fsFailure.ts";

/** Whether `target` lies strictly below `directory`; both must already be real paths. */
export const isInsideDirectory = (directory: string, target: string): boolean => {
  const rel = relative(directory, target);
  return rel !== "" && rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
};

const outside = (): StorageFailure =>
  storageFailure(
    "access_denied",
    "The key leads outside the storage root.",
    "Symbolic links inside the storage root may only point inside it.",
  );

/** The real path of an existing file or folder at `segments`, refused when it resolves outside the root. */
export const resolveExisting = async (
  root: string,
  segments: readonly string[],
): Promise<string | StorageFailure> => {
  if (segments.length === 0) return root;
  let real: string;
  try {
    real = await realpath(join(root, ...segments));
  } catch (error) {
    return fsFailure(error);
  }
  return isInsideDirectory(root, real) ? real : outside();
};

/** The real path of the folder at `segments`, made where missing; refused where a step is a file or leads out. */
export const ensureFolder = async (
  root: string,
  segments: readonly string[],
): Promise<string | StorageFailure> => {
  let folder = root;
  for (const segment of segments) {
    const next = join(folder, segment);
    try {
      await mkdir(next);
    } catch (error) {
      if (errnoOf(error) !== "EEXIST") return fsFailure(error);
    }
    try {
      const link = await lstat(next);
      folder = link.isSymbolicLink() ? await realpath(next) : next;
      if (link.isSymbolicLink() && !isInsideDirectory(root, folder)) return outside();
      if (!(await stat(folder)).isDirectory()) {
        return storageFailure(
          "invalid_key",
          `The key names the file '${segment}' as a folder.`,
          "Pick a key whose folders are not files.",
        );
      }
    } catch (error) {
      return fsFailure(error);
    }
  }
  return folder;
};
