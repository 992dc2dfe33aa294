// A real HTTP server that answers storage-fs signed links as the kernel's routes will: the plugin checks
// the link, then serves the object (with a Range) or stores the body. For the storage contract's fs run.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pipeline } from "node:stream/promises";
import { isStorageFailure, type StorageFailure } from "../../plugins/sdk/storageProvider.ts";
import type { FsStorage } from "../../plugins/storage-fs/index.ts";

export interface FsSignedUrlServer {
  readonly url: string;
  close(): Promise<void>;
}

const statusOf = (failure: StorageFailure): number =>
  ({ not_found: 404, access_denied: 403, invalid_key: 400, invalid_range: 416, storage_full: 507 })[
    failure.reason as "not_found"
  ] ?? 500;

const fail = (response: ServerResponse, failure: StorageFailure) => {
  response.writeHead(statusOf(failure), { "content-type": "text/plain" }).end(failure.message);
};

const parseRange = (header: string | undefined) => {
  const match = header === undefined ? null : /^bytes=(\d+)-(\d*)$/.exec(header);
  if (match === null) return undefined;
  return { start: Number(match[1]), ...(match[2] === "" ? {} : { end: Number(match[2]) }) };
};

/** Starts on a free port; `storage` is read per request, so it may be created with this server's url as its public_url. */
export const startFsSignedUrlServer = async (storage: () => FsStorage): Promise<FsSignedUrlServer> => {
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const method = request.method === "PUT" ? "PUT" : "GET";
    const contentType = request.headers["content-type"];
    const ref = storage().verifySignedRequest({
      method,
      url: request.url ?? "",
      ...(contentType === undefined ? {} : { contentType }),
    });
    if (isStorageFailure(ref)) {
      request.resume();
      return fail(response, ref);
    }
    if (method === "PUT") {
      const stored = await storage().put(ref, request);
      if (isStorageFailure(stored)) return fail(response, stored);
      return response.writeHead(200, { etag: stored.etag }).end();
    }
    const range = parseRange(request.headers.range);
    const got = await storage().get(ref, range === undefined ? {} : { range });
    if (isStorageFailure(got)) return fail(response, got);
    const headers: Record<string, string> = {
      "content-type": got.metadata.contentType,
      etag: got.metadata.etag,
    };
    if (got.range !== null) {
      headers["content-range"] = `bytes ${got.range.start}-${got.range.end}/${got.metadata.sizeBytes}`;
    }
    response.writeHead(got.range === null ? 200 : 206, headers);
    await pipeline(got.body, response);
  };
  const server = createServer((request, response) => {
    handle(request, response).catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
};
