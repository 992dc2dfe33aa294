// Serves one stored object over HTTP with Range support (players seek; interrupted downloads resume):
// the signed download route and the playback route share it.
import { Readable } from "node:stream";
import type { Context } from "hono";
import type { HttpEnv } from "../../infra/http/httpEnv.ts";
import { isStorageFailure, type StorageProvider } from "../../plugins/sdk/storageProvider.ts";
import { storageError } from "./storageRoutes.ts";

export interface ServeOptions {
  /** Offer the object as a file to save (a download), rather than to show or play inline. */
  attachment: boolean;
  /** Extra headers on every answer (CORS for players on other origins). */
  headers?: Record<string, string>;
  log?: ((message: string) => void) | undefined;
}

export async function serveObject(
  c: Context<HttpEnv>,
  storage: StorageProvider,
  key: string,
  options: ServeOptions,
) {
  const metadata = await storage.head({ key });
  if (isStorageFailure(metadata)) throw storageError(metadata, options.log);
  const size = metadata.sizeBytes;
  const headers: Record<string, string> = {
    ...options.headers,
    "Accept-Ranges": "bytes",
    "Content-Type": metadata.contentType,
    ...(options.attachment
      ? { "Content-Disposition": `attachment; filename="${key.split("/").pop()!.replace(/"/g, "")}"` }
      : {}),
    "Last-Modified": new Date(metadata.modifiedAt).toUTCString(),
  };
  const rangeHeader = c.req.header("range");
  const range = rangeHeader ? parseRange(rangeHeader, size) : null;
  if (range === "unsatisfiable") {
    return c.body(null, 416, { ...headers, "Content-Range": `bytes */${size}` });
  }
  const { start, end } = range ?? { start: 0, end: size - 1 };
  const length = size === 0 ? 0 : end - start + 1;
  const status = range ? 206 : 200;
  const responseHeaders = {
    ...headers,
    "Content-Length": String(length),
    ...(range ? { "Content-Range": `bytes ${start}-${end}/${size}` } : {}),
  };
  if (c.req.method === "HEAD" || length === 0) return c.body(null, status, responseHeaders);
  const object = await storage.get({ key }, { range: { start, end }, signal: c.req.raw.signal });
  if (isStorageFailure(object)) throw storageError(object, options.log);
  return c.body(Readable.toWeb(object.body) as ReadableStream, status, responseHeaders);
}

function parseRange(header: string, size: number): { start: number; end: number } | "unsatisfiable" | null {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) return null; // ignore what we do not understand: whole file
  let start: number;
  let end: number;
  if (match[1] === "") {
    const suffix = Number(match[2]);
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start >= size || start > end) return "unsatisfiable";
  return { start, end };
}
