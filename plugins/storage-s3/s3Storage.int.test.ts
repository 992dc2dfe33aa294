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
