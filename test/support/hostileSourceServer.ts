// Test support: an HTTP server that plays a hostile source host (a playlist, a bait-and-switch, an HTTP
// error, a redirect to loopback), and a separate loopback "internal service" that counts every request
// it receives and serves a real clip, so a request leaking to it would show as a job that succeeds.
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface HostileSources {
  /** The hostile server's port (on 127.0.0.1; tests reach it by a name they allow). */
  readonly port: number;
  /** The internal service's port (on 127.0.0.1; nothing may ever reach it). */
  readonly internalPort: number;
  /** Requests the hostile server received, by path. */
  hits(path: string): number;
  /** Requests the internal service received, all paths together. */
  internalHits(): number;
  close(): Promise<void>;
}

/** Serves `bytes` with the Range support ffmpeg needs to seek in an mp4. */
export function serveMedia(req: IncomingMessage, res: ServerResponse, bytes: Buffer): void {
  const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "");
  if (!range) {
    res.writeHead(200, { "content-type": "video/mp4", "content-length": bytes.length }).end(bytes);
    return;
  }
  const start = Number(range[1]);
  const end = range[2] ? Math.min(Number(range[2]), bytes.length - 1) : bytes.length - 1;
  if (start >= bytes.length) {
    res.writeHead(416, { "content-range": `bytes */${bytes.length}` }).end();
    return;
  }
  res
    .writeHead(206, {
      "content-type": "video/mp4",
      "content-range": `bytes ${start}-${end}/${bytes.length}`,
      "content-length": end - start + 1,
    })
    .end(bytes.subarray(start, end + 1));
}

const listen = (server: Server): Promise<number> =>
  new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
  );

/**
 * `clip`: an mp4 with its index first (ffprobe reads it in one request); `segment`: an MPEG-TS segment.
 * `segmentHost` is the host name playlists use for their segments (one the test allows).
 *
 * Routes: /clip.mp4 (always the clip), /bait.mp4 (the clip on its first request, a playlist after),
 * /playlist.m3u8, /forbidden (403), /broken (500), /to-internal (302 to the internal service).
 */
export async function startHostileSources(options: {
  clip: string;
  segment: string;
  segmentHost: string;
}): Promise<HostileSources> {
  const [clip, segment] = await Promise.all([readFile(options.clip), readFile(options.segment)]);
  const hits = new Map<string, number>();
  let internalHits = 0;

  const internal = createServer((req, res) => {
    internalHits++;
    serveMedia(req, res, clip);
  });
  const internalPort = await listen(internal);

  let port = 0;
  const playlist = () =>
    [
      "#EXTM3U",
      "#EXT-X-TARGETDURATION:1",
      "#EXTINF:1.0,",
      `http://${options.segmentHost}:${port}/seg.ts`,
      "#EXT-X-ENDLIST",
      "",
    ].join("\n");
  const hostile = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const count = (hits.get(path) ?? 0) + 1;
    hits.set(path, count);
    switch (path) {
      case "/clip.mp4":
        return serveMedia(req, res, clip);
      case "/bait.mp4":
        if (count === 1) return serveMedia(req, res, clip);
        return res.writeHead(200, { "content-type": "video/mp4" }).end(playlist());
      case "/playlist.m3u8":
        return res.writeHead(200, { "content-type": "application/vnd.apple.mpegurl" }).end(playlist());
      case "/seg.ts":
        return res.writeHead(200, { "content-type": "video/mp2t" }).end(segment);
      case "/forbidden":
        return res.writeHead(403).end("no");
      case "/broken":
        return res.writeHead(500).end("down");
      case "/to-internal":
        return res.writeHead(302, { location: `http://127.0.0.1:${internalPort}/secret.mp4` }).end();
      default:
        return res.writeHead(404).end();
    }
  });
  port = await listen(hostile);

  const close = (server: Server) =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return {
    port,
    internalPort,
    hits: (path) => hits.get(path) ?? 0,
    internalHits: () => internalHits,
    close: async () => {
      await Promise.all([close(hostile), close(internal)]);
    },
  };
}
