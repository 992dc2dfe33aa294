// Live ingest on MediaMTX as a platform process starts it, with a real kernel: plugins.toml enables
// live-mediamtx, a small HTTP server stands in for MediaMTX's API, and the requests MediaMTX would send
// to the auth hook are sent as it sends them. The stream API hands out MediaMTX's publish URLs, a
// publish with the stream's key is allowed and one with another key refused; a config its schema
// refuses stops the start.
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StreamKeyResponse } from "../../schemas/api/streamResponses.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/testDatabase.ts";
import { createMemoryProgressBus } from "../progress/memoryProgressBus.ts";
import { createMemoryWorkQueue } from "../queue/memory/memoryWorkQueue.ts";
import { openDatabase, type PlatformDatabase } from "./openDatabase.ts";
import { loadConfig, type PlatformConfig } from "./platformConfig.ts";
import { type Kernel, startKernel } from "./startKernel.ts";
import { type LiveIngest, startLive } from "./startLive.ts";

const listen = (server: Server) =>
  new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolve(typeof address === "object" && address !== null ? address.port : 0);
    });
  });

const freePort = async () => {
  const server = createServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
};

/** MediaMTX's API as the engine reads it: no path is publishing (no media flows in this test). */
function mediamtxApiStandIn() {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    if (request.method === "GET" && request.url?.startsWith("/v3/paths/list")) {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ itemCount: 0, pageCount: 0, items: [] }));
      return;
    }
    response.writeHead(404).end();
  });
  return { server, requests };
}

const publishAsMediamtx = (hookPort: number, path: string) =>
  fetch(`http://127.0.0.1:${hookPort}/auth`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      user: "",
      password: "",
      token: "",
      ip: "203.0.113.9",
      action: "publish",
      path,
      protocol: "rtmp",
      id: "6b1f0a52-8d4e-4c3b-9a51-2f7e0c9d1a33",
      query: "",
    }),
  });

describe("startLive with live-mediamtx enabled", () => {
  const mediamtx = mediamtxApiStandIn();
  const bus = createMemoryProgressBus();
  let database: TestDatabase;
  let dir: string;
  let config: PlatformConfig;
  let db: PlatformDatabase;
  let kernel: Kernel;
  let live: LiveIngest | undefined;
  let hookPort: number;
  let operatorToken: string;

  const configIn = async (folder: string, pluginsToml: string) => {
    const folderConfig = loadConfig(
      { port: "0", data: join(dir, folder, "data"), "media-dir": join(dir, folder, "media") },
      { WEBENCODE_LIVE_PUBLIC_HOST: "ingest.example.com" },
    );
    await mkdir(folderConfig.dataDir, { recursive: true });
    await writeFile(join(folderConfig.dataDir, "plugins.toml"), pluginsToml);
    return folderConfig;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "webencode-mediamtx-"));
    await chmod(dir, 0o755);
    database = await createTestDatabase("live_mediamtx");
    const apiPort = await listen(mediamtx.server);
    hookPort = await freePort();
    config = await configIn(
      "platform",
      [
        "[live-mediamtx]",
        "enabled = true",
        "",
        "[live-mediamtx.config]",
        `api_url = "http://127.0.0.1:${apiPort}"`,
        `auth_hook_port = ${hookPort}`,
        `read_host = "127.0.0.1"`,
        "",
      ].join("\n"),
    );
    db = await openDatabase({ dataDir: config.dataDir, databaseUrl: database.url });
    kernel = await startKernel(
      config,
      db,
      createMemoryWorkQueue(),
      bus,
      () => {},
      {},
      {
        ingestUrls: (streamKey) => (live ? live.ingestUrls(streamKey) : { rtmp: null, srt: null }),
      },
    );
    live = await startLive(config, {
      store: db.store,
      sessions: kernel.liveSessions,
      storage: kernel.jobStorage,
      publishTelemetry: (tick) => bus.publishTelemetry(tick),
      log: () => {},
    });
    const issued = await kernel.tokens.issue(
      { name: "operator", role: "operator" },
      { userId: "system", role: "system" },
    );
    if (issued._tag !== "Issued") throw new Error(issued._tag);
    operatorToken = issued.token;
  }, 60_000);

  afterAll(async () => {
    await live?.stop();
    await kernel?.stop();
    await db?.close();
    await database?.drop();
    await new Promise((resolve) => mediamtx.server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it("hands out MediaMTX's publish URLs and answers MediaMTX's auth hook with the stream's key", async () => {
    expect(live?.urls).toEqual({
      rtmp: "rtmp://ingest.example.com:1935/live",
      srt: "srt://ingest.example.com:8890",
    });
    const created = await fetch(`${kernel.url}/v1/streams`, {
      method: "POST",
      headers: { authorization: `Bearer ${operatorToken}`, "content-type": "application/json" },
      body: JSON.stringify({ title: "Harbour cam" }),
    });
    expect(created.status).toBe(201);
    const stream = (await created.json()) as StreamKeyResponse;
    expect(stream.ingest_url).toBe("rtmp://ingest.example.com:1935/live");
    expect(stream.ingest_urls).toEqual({
      rtmp: "rtmp://ingest.example.com:1935/live",
      srt: `srt://ingest.example.com:8890?streamid=publish:live/${stream.stream_key}`,
    });

    expect((await publishAsMediamtx(hookPort, `live/${stream.stream_key}`)).status).toBe(200);
    expect((await publishAsMediamtx(hookPort, "live/live_not_the_streams_key")).status).toBe(401);
    // the engine follows the allowed publisher's path through the API, once a second
    const deadline = Date.now() + 5000;
    while (mediamtx.requests.length === 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(mediamtx.requests).toContainEqual(expect.stringMatching(/^GET \/v3\/paths\/list/));
  }, 30_000);

  it("refuses to start on a live-mediamtx config its schema refuses, naming the file and the field", async () => {
    const refused = await configIn(
      "refused",
      '[live-mediamtx]\nenabled = true\n\n[live-mediamtx.config]\napi_url = "mediamtx:9997"\n',
    );
    await expect(
      startLive(refused, {
        store: db.store,
        sessions: kernel.liveSessions,
        storage: kernel.jobStorage,
        publishTelemetry: () => {},
        log: () => {},
      }),
    ).rejects.toThrow(
      /^WE-PLG-003 .*plugins\.toml: live-mediamtx\.config\.api_url: must match \/\^https\?:\/\//,
    );
  });
});
