// Parses an `fs://a/b.mp4` source URL into decoded path segments, refusing every spelling that could
// climb out of the media root once some layer decodes, normalizes or reinterprets it. Pure: no I/O.
import { type SourceRefused, sourceRefused } from "./sourceRefused.ts";

export interface FsPath {
  readonly _tag: "FsPath";
  /** Decoded segments, each a plain file or directory name: never empty, `.`, `..` or holding a separator. */
  readonly segments: readonly string[];
}

const FS_PREFIX = /^fs:\/\//i;
// C0 controls, DEL and C1 controls: never part of a name we accept, NUL above all.
const CONTROL = /\p{Cc}/u;
const STILL_ENCODED = /%[0-9a-f]{2}/i;

const HINT = "Use fs://<folder>/<file> relative to the media root, e.g. fs://uploads/talk.mp4.";

const refuseSegment = (segment: string): SourceRefused | undefined => {
  if (segment.includes("/") || segment.includes("\\") || CONTROL.test(segment)) {
    return sourceRefused(
      "forbidden_character",
      "The source path contains an encoded separator or control character.",
      HINT,
    );
  }
  if (STILL_ENCODED.test(segment)) {
    return sourceRefused(
      "double_encoding",
      "The source path is percent-encoded more than once.",
      `Encode each path segment exactly once. ${HINT}`,
    );
  }
  // Compatibility forms (U+2025 "‥", U+FF0E "．", U+FF0F "／") become dots and slashes under NFKC.
  const folded = segment.normalize("NFKC");
  if (segment === "." || segment === ".." || folded === "." || folded === "..") {
    return sourceRefused("path_traversal", "The source path may not contain '.' or '..' segments.", HINT);
  }
  if (folded.includes("/") || folded.includes("\\")) {
    return sourceRefused(
      "forbidden_character",
      "The source path contains a character that normalizes to a separator.",
      HINT,
    );
  }
  return undefined;
};

export const parseFsUrl = (url: string): FsPath | SourceRefused => {
  if (!FS_PREFIX.test(url)) {
    return sourceRefused("unsupported_scheme", "A local source must be an fs:// URL.", HINT);
  }
  const rest = url.slice("fs://".length);
  if (rest.length === 0) {
    return sourceRefused("malformed_url", "The fs:// URL names no file.", HINT);
  }
  if (rest.includes("\\") || CONTROL.test(rest)) {
    return sourceRefused(
      "forbidden_character",
      "The source path contains a backslash or control character.",
      HINT,
    );
  }
  if (rest.includes("?") || rest.includes("#")) {
    return sourceRefused(
      "forbidden_character",
      "An fs:// URL has no query or fragment.",
      `Percent-encode '?' as %3F and '#' as %23 in file names. ${HINT}`,
    );
  }
  if (rest.startsWith("/")) {
    return sourceRefused(
      "absolute_path",
      "The source path must be relative to the media root.",
      `Drop the leading slash. ${HINT}`,
    );
  }
  const segments: string[] = [];
  for (const raw of rest.split("/")) {
    if (raw.length === 0) {
      return sourceRefused("malformed_url", "The source path has an empty segment.", HINT);
    }
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return sourceRefused("malformed_url", "The source path has an invalid percent-encoding.", HINT);
    }
    const refused = refuseSegment(segment);
    if (refused !== undefined) return refused;
    segments.push(segment);
  }
  return { _tag: "FsPath", segments };
};
