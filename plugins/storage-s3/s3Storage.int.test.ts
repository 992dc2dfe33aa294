import { createHash } from "node:crypto";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type S3rverProcess, startS3rver } from "../../test/support/s3rverProcess.ts";
import {
  describeStorageContract,
  failingBody,
  LARGE_OBJECT_BYTES,
  patternBytes,
} from "../sdk/storageContract.ts";
import { createS3Storage, type S3StorageConfig } from "./index.ts";

const configFor = (server: S3rverProcess, extra: Partial<S3StorageConfig> = {}): S3StorageConfig => ({
  bucket: server.bucket,
  endpoint: server.endpoint,
  force_path_style: true,
  access_key_id: server.accessKeyId,
  secret_access_key: server.secretAccessKey,
  part_size_mib: 5,
  ...extra,
});

const MiB = 1024 * 1024;

/**
 * A slow or failing store: an HTTP proxy in front of the S3 server that holds each part's answer for
 * `delayMs` before passing it on, and answers `failPart` with a 500 instead of forwarding it.
 */
const startSlowStore = async (
  upstream: string,
  behaviour: { delayMs: number; failPart?: number; onPartAnswered?: () => void },
) => {
  const target = new URL(upstream);
  const server = createServer((incoming, answer) => {
    const partNumber = Number(/[?&]partNumber=(\d+)/.exec(incoming.url ?? "")?.[1] ?? 0);
    if (partNumber !== 0 && partNumber === behaviour.failPart) {
      incoming.resume();
      answer.writeHead(500, { "content-type": "application/xml" });
      answer.end("<Error><Code>InternalError</Code><Message>part refused</Message></Error>");
      return;
    }
    const forwarded = request(
      {
        host: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (upstreamAnswer) => {
        const pass = () => {
          if (partNumber !== 0) behaviour.onPartAnswered?.();
          answer.writeHead(upstreamAnswer.statusCode ?? 502, upstreamAnswer.headers);
          upstreamAnswer.pipe(answer);
        };
        if (partNumber === 0) pass();
        else setTimeout(pass, behaviour.delayMs);
      },
    );
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

/** A body of `bytes` made as it is read, 64 KiB at a time, counting how much has been read. */
const countedBody = (bytes: number) => {
  const chunk = patternBytes(64 * 1024);
  const counter = { pulled: 0 };
  async function* chunks() {
    while (counter.pulled < bytes) {
      const next = chunk.subarray(0, Math.min(chunk.length, bytes - counter.pulled));
      counter.pulled += next.length;
      yield next;
    }
  }
  return { counter, stream: Readable.from(chunks(), { objectMode: false }) };
};

describeStorageContract("storage-s3", async () => {
  const server = await startS3rver();
  return {
    provider: createS3Storage(configFor(server)),
    urlPrefix: `s3://${server.bucket}/`,
    dispose: () => server.stop(),
  };
});

describe("storage-s3 against an S3 server", () => {
  let server: S3rverProcess;
  beforeAll(async () => {
    server = await startS3rver();
  });
  afterAll(async () => {
    await server.stop();
  });

  it("uploads an object larger than a part in parts, and aborts a failed one so no part lingers", async () => {
    const storage = createS3Storage(configFor(server));
    server.requests.length = 0;
    const stored = await storage.put(
      { key: "parts/large.bin" },
      Readable.from([patternBytes(LARGE_OBJECT_BYTES)]),
    );
    expect(stored).toMatchObject({ _tag: "Stored", sizeBytes: LARGE_OBJECT_BYTES });
    // 12 MiB in 5 MiB parts: one multipart upload of three parts
    expect(server.requests.filter((request) => request.startsWith("POST ?uploads"))).toHaveLength(1);
    expect(server.requests.filter((request) => request.startsWith("PUT ?partNumber"))).toHaveLength(3);

    server.requests.length = 0;
    expect(
      await storage.put({ key: "parts/broken.bin" }, failingBody(LARGE_OBJECT_BYTES - 1024 * 1024)),
    ).toMatchObject({ reason: "aborted" });
    // the parts sent before the body failed are dropped: the upload is aborted, never completed
    expect(server.requests.filter((request) => request === "DELETE ?uploadId")).toHaveLength(1);
    expect(server.requests.filter((request) => request === "POST ?uploads")).toHaveLength(1);
    expect(server.requests.filter((request) => request === "POST ?uploadId")).toHaveLength(0);
    await storage.close();
  });

  it("reads no further ahead of a slow store than the parts in flight and the one filling", async () => {
    let answered = 0;
    const slow = await startSlowStore(server.endpoint, {
      delayMs: 150,
      onPartAnswered: () => {
        answered += 1;
      },
    });
    const storage = createS3Storage(configFor(server, { endpoint: slow.endpoint, upload_concurrency: 2 }));
    const size = 40 * MiB;
    const body = countedBody(size);
    // the most the body has been read past what the store has answered for, sampled as it is read
    let ahead = 0;
    const sampler = setInterval(() => {
      ahead = Math.max(ahead, body.counter.pulled - answered * 5 * MiB);
    }, 5);
    const stored = await storage.put({ key: "slow/large.bin" }, body.stream);
    clearInterval(sampler);
    expect(stored).toMatchObject({ _tag: "Stored", sizeBytes: size });
    // 2 parts sent and 1 filling, plus what the streams between hold: far below the 40 MiB a reader
    // that ignored the store would have pulled
    expect(ahead).toBeGreaterThan(5 * MiB);
    expect(ahead).toBeLessThanOrEqual(3 * 5 * MiB + MiB);
    const got = await storage.get({ key: "slow/large.bin" });
    if (got._tag !== "ObjectBody") throw new Error(got._tag);
    const hash = createHash("sha256");
    for await (const chunk of got.body) hash.update(chunk as Buffer);
    expect(`sha256:${hash.digest("hex")}`).toBe(stored._tag === "Stored" ? stored.checksum : "");
    await storage.close();
    await slow.stop();
  });

  it("aborts the multipart upload and answers the store's failure when a part is refused", async () => {
    const failing = await startSlowStore(server.endpoint, { delayMs: 0, failPart: 2 });
    const storage = createS3Storage(configFor(server, { endpoint: failing.endpoint, max_attempts: 1 }));
    server.requests.length = 0;
    const stored = await storage.put({ key: "failing/large.bin" }, countedBody(LARGE_OBJECT_BYTES).stream);
    expect(stored).toMatchObject({ _tag: "StorageFailure", reason: "unavailable" });
    expect(server.requests.filter((request) => request === "DELETE ?uploadId")).toHaveLength(1);
    expect(server.requests.filter((request) => request === "POST ?uploadId")).toHaveLength(0);
    expect(await storage.head({ key: "failing/large.bin" })).toMatchObject({ reason: "not_found" });
    await storage.close();
    await failing.stop();
  });

  it("stores a body read as strings and typed arrays byte for byte", async () => {
    const storage = createS3Storage(configFor(server));
    const stored = await storage.put(
      { key: "text/list.m3u8" },
      Readable.from(["#EXTM3U\n", new Uint8Array([0x23, 0x0a]), "é\n"]),
    );
    expect(stored).toMatchObject({ _tag: "Stored", sizeBytes: 13 });
    const got = await storage.get({ key: "text/list.m3u8" });
    if (got._tag !== "ObjectBody") throw new Error(got._tag);
    const chunks: Buffer[] = [];
    for await (const chunk of got.body) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe("#EXTM3U\n#\né\n");
    await storage.close();
  });

  it("reads s3://bucket/key URLs, each segment decoded once, in any bucket", async () => {
    const storage = createS3Storage(configFor(server));
    expect(await storage.locate("s3://other-bucket/a/talk%20one.mp4")).toEqual({
      bucket: "other-bucket",
      key: "a/talk one.mp4",
    });
    expect(await storage.locate("s3://Bad_Bucket/a.mp4")).toMatchObject({ reason: "invalid_key" });
    expect(await storage.locate("fs://a.mp4")).toMatchObject({ reason: "invalid_key" });
    expect(await storage.head({ bucket: "no-such-bucket", key: "a.mp4" })).toMatchObject({
      reason: "not_found",
    });
    await storage.close();
  });

  it("answers access_denied for wrong credentials and unavailable for an endpoint that does not answer", async () => {
    const wrong = createS3Storage(configFor(server, { secret_access_key: "wrong" }));
    expect(await wrong.head({ key: "a.mp4" })).toMatchObject({ reason: "access_denied" });
    expect(await wrong.put({ key: "a.mp4" }, Readable.from([Buffer.from("x")]))).toMatchObject({
      reason: "access_denied",
    });
    await wrong.close();

    const closed = await startS3rver();
    const endpoint = closed.endpoint;
    await closed.stop();
    const gone = createS3Storage(configFor(server, { endpoint, max_attempts: 1 }));
    expect(await gone.head({ key: "a.mp4" })).toMatchObject({ reason: "unavailable" });
    expect(await gone.list({ prefix: "" })).toMatchObject({ reason: "unavailable" });
    await gone.close();
  });
});
