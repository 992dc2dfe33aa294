// Where a job's source is read from, checked the same way by the planner and by each worker: an fs://
// URL must name a regular file inside the media root; an http(s) URL must pass the SSRF guard.
import { type ResolvedMediaPath, resolveMediaPath } from "../plugins/sdk/sources/resolveMediaPath.ts";
import { type SourceRefused, sourceRefused } from "../plugins/sdk/sources/sourceRefused.ts";
import { checkRemoteSource, type RemoteSourceOptions } from "../plugins/sdk/sources/ssrfGuard.ts";

export type ReadableSource =
  | { _tag: "LocalSource"; path: string; resolved: ResolvedMediaPath }
  | { _tag: "RemoteSource"; url: string };

export interface SourceAccess {
  mediaRoot: string;
  remoteSources?: RemoteSourceOptions;
}

export async function resolveSource(
  sourceUrl: string,
  access: SourceAccess,
): Promise<ReadableSource | SourceRefused> {
  if (/^fs:\/\//i.test(sourceUrl)) {
    const resolved = await resolveMediaPath(access.mediaRoot, sourceUrl);
    return resolved._tag === "Resolved" ? { _tag: "LocalSource", path: resolved.path, resolved } : resolved;
  }
  if (/^https?:\/\//i.test(sourceUrl)) {
    const allowed = await checkRemoteSource(sourceUrl, access.remoteSources);
    return allowed._tag === "Allowed" ? { _tag: "RemoteSource", url: allowed.url } : allowed;
  }
  return sourceRefused(
    "unsupported_scheme",
    "Job sources are fs:// paths in the media root or http(s):// URLs.",
    "Upload the file or give an http(s) URL.",
  );
}

/** What the encoder plugin is handed. */
export const encoderInputOf = (source: ReadableSource): string =>
  source._tag === "LocalSource" ? source.path : source.url;
