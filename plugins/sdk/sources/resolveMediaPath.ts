// Turns an fs:// source URL into the real path of a regular file inside the media root. Symlinks are
// followed (the root itself may be one) and the target's real path must still lie inside the root's.
import { realpath, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { errnoOf } from "./errnoOf.ts";
import { isInsideDirectory } from "./isInsideDirectory.ts";
import { parseFsUrl } from "./parseFsUrl.ts";
import { type SourceRefused, sourceRefused } from "./sourceRefused.ts";

export interface ResolvedMediaPath {
  readonly _tag: "Resolved";
  /** Real path (no symlinks left); open this one, not the path the URL spelled. */
  readonly path: string;
  /** The real path relative to the real media root, with `/` separators. */
  readonly relative: string;
}

const notFound = (): SourceRefused =>
  sourceRefused(
    "not_found",
    "The source file does not exist in the media root.",
    "Check the path, or upload the file first (POST /v1/files/upload).",
  );

/**
 * Throws only when the media root itself cannot be resolved (a deployment fault, not a user's) or on an
 * unexpected I/O error; every answer about the user's URL is a value.
 */
export const resolveMediaPath = async (
  mediaRoot: string,
  url: string,
): Promise<ResolvedMediaPath | SourceRefused> => {
  const parsed = parseFsUrl(url);
  if (parsed._tag === "SourceRefused") return parsed;

  const root = await realpath(mediaRoot);
  const spelled = join(root, ...parsed.segments);
  if (!isInsideDirectory(root, spelled)) {
    // Unreachable after parseFsUrl's checks; kept so this function stands on its own.
    return sourceRefused("path_traversal", "The source path leaves the media root.", "Use a relative path.");
  }

  let target: string;
  try {
    target = await realpath(spelled);
  } catch (error) {
    const code = errnoOf(error);
    if (code === "ENOENT" || code === "ENOTDIR") return notFound();
    if (code === "ELOOP") {
      return sourceRefused(
        "outside_media_root",
        "The source path is a symbolic link loop.",
        "Point the URL at a regular file.",
      );
    }
    if (code === "ENAMETOOLONG") {
      return sourceRefused("malformed_url", "The source path is too long.", "Use a shorter path.");
    }
    if (code === "EACCES") {
      return sourceRefused(
        "not_readable",
        "The platform may not read the source path.",
        "Ask an administrator to check the permissions in the media root.",
      );
    }
    throw error;
  }

  if (!isInsideDirectory(root, target)) {
    return sourceRefused(
      "outside_media_root",
      "The source path leads outside the media root.",
      "Symbolic links inside the media root may only point at files inside it.",
    );
  }

  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(target);
  } catch (error) {
    if (errnoOf(error) === "ENOENT") return notFound();
    throw error;
  }
  if (!info.isFile()) {
    return sourceRefused(
      "not_a_file",
      info.isDirectory() ? "The source path is a directory." : "The source path is not a regular file.",
      "Point the URL at a regular media file, not a directory, pipe or device.",
    );
  }

  return { _tag: "Resolved", path: target, relative: relative(root, target).split(sep).join("/") };
};
