// The egress proxy on its own: only a run's own pass may use it, https travels through a CONNECT tunnel
// to the address the proxy checked (TLS still ends at the source), and a refusal is told to that pass.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer as createHttpServer, request } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeMedia } from "../../plugins/encoder-ffmpeg/probeMedia.ts";
import { createS3Storage } from "../../plugins/storage-s3/index.ts";
import { makeTestClip } from "../../test/support/makeTestClip.ts";
import { type S3rverProcess, startS3rver } from "../../test/support/s3rverProcess.ts";
import { createEgressProxy, type EgressProxy } from "./createEgressProxy.ts";
import { scriptedLookup } from "./scriptedLookup.ts";

let dir: string;
let tls: Server;
let tlsHits = 0;
let egress: EgressProxy;

/** What the proxy answers a request for `url`, sent with `credentials` (user:password) or none. */
const askProxy = (proxyUrl: string, url: string, credentials?: string) =>
  new Promise<number>((resolve, reject) => {
    const proxy = new URL(proxyUrl);
    const req = request({
      host: proxy.hostname,
      port: proxy.port,
      path: url,
      headers: credentials
        ? { "proxy-authorization": `Basic ${Buffer.from(credentials).toString("base64")}` }
        : {},
    });
    req.on("response", (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end();
  });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webencode-egress-"));
  await promisify(execFile)("openssl", [
    ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=media.test"],
    ...["-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")],
  ]);
  const clip = await readFile(await makeTestClip(dir, "clip.mp4", { durationSec: 1, faststart: true }));
  tls = createServer(
    { key: await readFile(join(dir, "key.pem")), cert: await readFile(join(dir, "cert.pem")) },
    (_, res) => {
      tlsHits++;
      res.writeHead(200, { "content-length": clip.length }).end(clip);
    },
  );
  await new Promise<void>((resolve) => tls.listen(0, "127.0.0.1", resolve));
  egress = createEgressProxy({
    allowHosts: ["media.test"],
    lookup: scriptedLookup(JSON.stringify({ "media.test": ["127.0.0.1"], "other.test": ["127.0.0.1"] })),
  });
}, 60_000);

afterAll(async () => {
  await egress?.close();
  await new Promise<void>((resolve) => tls?.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

describe("egress proxy", () => {
  it("serves only a run's own open pass: no credentials, a wrong secret or a closed pass get 407", async () => {
    const pass = await egress.open();
    const { username, password } = new URL(pass.proxyUrl);
    const target = `http://media.test:${(tls.address() as AddressInfo).port}/`;
    expect(await askProxy(pass.proxyUrl, target)).toBe(407);
    expect(await askProxy(pass.proxyUrl, target, `${username}:not-the-secret`)).toBe(407);
    expect(await askProxy(pass.proxyUrl, target, `${username}:${password}`)).not.toBe(407);
    pass.close();
    expect(await askProxy(pass.proxyUrl, target, `${username}:${password}`)).toBe(407);
  });

  it("tunnels https to the checked address, by a name only the proxy resolves", async () => {
    tlsHits = 0;
    const url = `https://media.test:${(tls.address() as AddressInfo).port}/clip.mp4`;
    expect(await probeMedia(url, { ffprobePath: "ffprobe", egress })).toMatchObject({
      _tag: "SourceInfo",
      durationSec: 1,
    });
    expect(tlsHits).toBeGreaterThan(0);
  });

  it("refuses an https host whose address is not allowed, and tells that run why", async () => {
    tlsHits = 0;
    const url = `https://other.test:${(tls.address() as AddressInfo).port}/clip.mp4`;
    expect(await probeMedia(url, { ffprobePath: "ffprobe", egress })).toMatchObject({
      _tag: "ProbeFailure",
      reason: "refused",
      message: expect.stringMatching(/other\.test .*loopback/),
    });
    expect(tlsHits).toBe(0);
  });
});

describe("egress proxy and the configured storage endpoint", () => {
  let s3: S3rverProcess;
  let plain: ReturnType<typeof createHttpServer>;
  let clip: Buffer;
  beforeAll(async () => {
    s3 = await startS3rver();
    clip = await readFile(await makeTestClip(dir, "stored.mp4", { durationSec: 1 }));
    plain = createHttpServer((_, res) => res.writeHead(200, { "content-length": clip.length }).end(clip));
    await new Promise<void>((resolve) => plain.listen(0, "127.0.0.1", resolve));
  }, 60_000);
  afterAll(async () => {
    await s3?.stop();
    await new Promise<void>((resolve) => plain?.close(() => resolve()));
  });

  it("lets ffmpeg read a presigned object at the storage endpoint on a loopback address, and nothing else private", async () => {
    const storage = createS3Storage({
      bucket: s3.bucket,
      endpoint: s3.endpoint,
      force_path_style: true,
      access_key_id: s3.accessKeyId,
      secret_access_key: s3.secretAccessKey,
    });
    await storage.put({ key: "sources/stored.mp4" }, Readable.from([clip]));
    const location = await storage.readableLocation({ key: "sources/stored.mp4" }, { expiresInSeconds: 600 });
    if (location._tag !== "Url") throw new Error(`expected a presigned URL, got ${JSON.stringify(location)}`);
    const withStorage = createEgressProxy({ storageOrigins: [s3.endpoint] });
    const without = createEgressProxy({});
    try {
      expect(await probeMedia(location.url, { ffprobePath: "ffprobe", egress: withStorage })).toMatchObject({
        _tag: "SourceInfo",
        durationSec: 1,
      });
      // the same loopback address on another port is not the storage endpoint
      const other = `http://127.0.0.1:${(plain.address() as AddressInfo).port}/clip.mp4`;
      expect(await probeMedia(other, { ffprobePath: "ffprobe", egress: withStorage })).toMatchObject({
        _tag: "ProbeFailure",
        reason: "refused",
      });
      // and without the endpoint configured, loopback stays shut for the object itself
      expect(await probeMedia(location.url, { ffprobePath: "ffprobe", egress: without })).toMatchObject({
        _tag: "ProbeFailure",
        reason: "refused",
      });
    } finally {
      await withStorage.close();
      await without.close();
      await storage.close();
    }
  });
});
