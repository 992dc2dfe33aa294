// The one upload write path over real storage: storage-fs over a media folder and storage-s3 on a real S3
// protocol server. The limit, odd and hostile names, concurrent uploads of one name, aborted and empty
// bodies; whatever is refused leaves no object behind.
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, realpath, rm, stat, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { StorageProvider } from "../../plugins/sdk/storageProvider.ts";
import { createFsStorage } from "../../plugins/storage-fs/index.ts";
import { createS3Storage } from "../../plugins/storage-s3/index.ts";
import { type S3rverProcess, startS3rver } from "../../test/support/s3rverProcess.ts";
import { type UploadStorage, uploadToStorage } from "./uploadToStorage.ts";

const MiB = 1024 * 1024;
let base: string;
let root: string;
let storage: UploadStorage;
let s3: S3rverProcess;
let s3Storage: StorageProvider;

beforeAll(async () => {
  s3 = await startS3rver("webencode-uploads");
  s3Storage = createS3Storage({
    bucket: s3.bucket,
    endpoint: s3.endpoint,
    force_path_style: true,
    access_key_id: s3.accessKeyId,
    secret_access_key: s3.secretAccessKey,
    part_size_mib: 5,
  });
}, 60_000);
afterAll(async () => {
  await s3Storage?.close();
  await s3?.stop();
});
beforeEach(async () => {
  base = await realpath(await mkdtemp(join(tmpdir(), "webencode-upload-")));
  root = join(base, "media");
  await mkdir(root);
  const fs = await createFsStorage({ root, signing_key: "m".repeat(32) });
  storage = {
    fs,
    byId: new Map<string, StorageProvider>([
      ["storage-fs", fs],
      ["storage-s3", s3Storage],
    ]),
  };
});
afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

const uploadsContent = async (): Promise<string[]> => readdir(join(root, "uploads")).catch(() => []);
const s3Keys = async (prefix: string) => {
  const page = await s3Storage.list({ prefix });
  return page._tag === "ListPage" ? page.objects.map((object) => object.key) : [page.message];
};

/**
 * `totalBytes` of a deterministic pattern in 64 KiB chunks, hashed as it is produced. The chunks come
 * from a pool made once, so the test makes no garbage of its own and memory measures the upload alone.
 */
const pool = Array.from({ length: 251 }, (_, fill) => Buffer.alloc(64 * 1024, fill));
const generated = (totalBytes: number, onChunk?: (sent: number) => void) => {
  const hash = createHash("sha256");
  async function* chunks() {
    let sent = 0;
    while (sent < totalBytes) {
      const size = Math.min(64 * 1024, totalBytes - sent);
      const chunk = pool[(sent / (64 * 1024)) % 251]!.subarray(0, size);
      hash.update(chunk);
      sent += size;
      yield chunk;
      onChunk?.(sent);
    }
  }
  let digest: string | undefined;
  const digestOnce = () => {
    digest ??= hash.digest("hex");
    return digest;
  };
  return { stream: Readable.from(chunks()), digest: digestOnce };
};

describe("uploadToStorage into the media storage-fs", () => {
  it("streams 200 MiB with RSS growing far less than the body, as fs://uploads/<uuid>-<name>", async () => {
    // the path warmed first: loading code is not what is measured
    await uploadToStorage(storage, { fileName: "warm.mp4" }, generated(MiB).stream, { maxBytes: MiB });
    const body = generated(200 * MiB);
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 10);
    const result = await uploadToStorage(storage, { fileName: "big talk.mp4" }, body.stream, {
      maxBytes: 256 * MiB,
    });
    clearInterval(sampler);
    expect(peak - before).toBeLessThan(64 * MiB);
    expect(result).toMatchObject({ _tag: "Uploaded", sizeBytes: 200 * MiB, sha256: body.digest() });
    if (result._tag !== "Uploaded") return;
    expect(result.url).toMatch(/^fs:\/\/uploads\/[0-9a-f-]{36}-big%20talk\.mp4$/);
    expect((await stat(join(root, result.ref.key))).size).toBe(200 * MiB);
    expect(await storage.fs!.locate(result.url)).toEqual(result.ref);
  });

  it("accepts a body of exactly the limit and refuses one byte more with 413, leaving nothing", async () => {
    const exact = await uploadToStorage(storage, { fileName: "a.mp4" }, generated(MiB).stream, {
      maxBytes: MiB,
    });
    expect(exact).toMatchObject({ _tag: "Uploaded", sizeBytes: MiB });
    await rm(join(root, "uploads"), { recursive: true });
    const over = await uploadToStorage(storage, { fileName: "a.mp4" }, generated(MiB + 1).stream, {
      maxBytes: MiB,
    });
    expect(over).toMatchObject({
      _tag: "UploadRefused",
      reason: "too_large",
      code: "WE-STO-003",
      status: 413,
      message: expect.stringContaining("1.0 MiB"),
    });
    expect(await uploadsContent()).toEqual([]);
  });

  it("stops storing an endless body at the limit, and answers while the body goes on", async () => {
    // as a network body arrives: a chunk per turn of the event loop, for ever
    let produced = 0;
    const endless = new Readable({
      read() {
        setImmediate(() => {
          produced += 64 * 1024;
          this.push(Buffer.alloc(64 * 1024));
        });
      },
    });
    try {
      const result = await uploadToStorage(storage, { fileName: "x.mp4" }, endless, { maxBytes: 4 * MiB });
      expect(result).toMatchObject({ reason: "too_large" });
      expect(produced).toBeLessThan(8 * MiB);
      expect(await uploadsContent()).toEqual([]);
    } finally {
      endless.destroy();
    }
  });

  it("refuses an empty body and a body that fails or is aborted, leaving nothing", async () => {
    expect(
      await uploadToStorage(storage, { fileName: "x.mp4" }, Readable.from([]), { maxBytes: MiB }),
    ).toMatchObject({ _tag: "UploadRefused", reason: "empty", code: "WE-JOB-001", status: 400 });
    let pushed = 0;
    const dying = new Readable({
      read() {
        if (++pushed <= 3) this.push(Buffer.alloc(64 * 1024, 1));
        else this.destroy(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }));
      },
    });
    expect(
      await uploadToStorage(storage, { fileName: "x.mp4" }, dying, { maxBytes: 10 * MiB }),
    ).toMatchObject({ _tag: "UploadRefused", reason: "aborted", code: "WE-JOB-001", status: 400 });
    const controller = new AbortController();
    const body = generated(8 * MiB, (sent) => {
      if (sent === MiB) controller.abort();
    });
    expect(
      await uploadToStorage(storage, { fileName: "x.mp4" }, body.stream, {
        maxBytes: 10 * MiB,
        signal: controller.signal,
      }),
    ).toMatchObject({ reason: "aborted" });
    expect(await uploadsContent()).toEqual([]);
  });

  it("keeps hostile names inside uploads/ and gives concurrent uploads of one name their own files", async () => {
    const names = ["../../../etc/cron.d/evil.mp4", "../../../etc/cron.d/evil.mp4", "a\u0000b.mp4"];
    const results = await Promise.all(
      names.map((fileName) =>
        uploadToStorage(storage, { fileName }, generated(1000).stream, { maxBytes: MiB }),
      ),
    );
    const keys = results.map((result) => (result._tag === "Uploaded" ? result.ref.key : result.message));
    expect(keys).toEqual([
      expect.stringMatching(/^uploads\/[0-9a-f-]{36}-evil\.mp4$/),
      expect.stringMatching(/^uploads\/[0-9a-f-]{36}-evil\.mp4$/),
      expect.stringMatching(/^uploads\/[0-9a-f-]{36}-a_b\.mp4$/),
    ]);
    expect(new Set(keys).size).toBe(3);
    expect(await readdir(base)).toEqual(["media"]);
    expect((await uploadsContent()).sort()).toEqual(keys.map((key) => key.slice("uploads/".length)).sort());
  });

  it("round-trips a unicode name with URL-special characters through the source URL", async () => {
    const result = await uploadToStorage(
      storage,
      { fileName: "Ma vidéo #1 (été) ?.mp4" },
      generated(10).stream,
      { maxBytes: MiB },
    );
    if (result._tag !== "Uploaded") throw new Error(result.message);
    expect(result.ref.key.endsWith("-Ma vidéo #1 (été) _.mp4")).toBe(true);
    expect(await storage.fs!.locate(result.url)).toEqual(result.ref);
  });

  it("refuses to write through an uploads/ symlink that leads out of the media folder", async () => {
    await mkdir(join(base, "elsewhere"));
    await symlink(join(base, "elsewhere"), join(root, "uploads"));
    const result = await uploadToStorage(storage, { fileName: "a.mp4" }, generated(10).stream, {
      maxBytes: MiB,
    });
    expect(result).toMatchObject({ _tag: "UploadRefused", code: "WE-STO-002" });
    expect(await readdir(join(base, "elsewhere"))).toEqual([]);
  });

  it("refuses when storage-fs is disabled or the named plugin does not run", async () => {
    const disabled = { fs: null, byId: new Map<string, StorageProvider>() };
    expect(
      await uploadToStorage(disabled, { fileName: "a.mp4" }, generated(10).stream, { maxBytes: MiB }),
    ).toMatchObject({ code: "WE-PLG-002" });
    expect(
      await uploadToStorage(storage, { fileName: "a.mp4", pluginId: "storage-gcs" }, generated(10).stream, {
        maxBytes: MiB,
      }),
    ).toMatchObject({ code: "WE-PLG-001", hint: expect.stringContaining("storage-s3") });
  });

  it("rejects a nonsensical limit as a programming error", async () => {
    await expect(
      uploadToStorage(storage, { fileName: "a" }, generated(1).stream, { maxBytes: 0 }),
    ).rejects.toThrow(RangeError);
  });
});

describe("uploadToStorage into storage-s3", () => {
  it("puts the body at object_key in multipart parts, byte for byte, as an s3:// source", async () => {
    const body = generated(12 * MiB);
    const result = await uploadToStorage(
      storage,
      { fileName: "clip.mp4", pluginId: "storage-s3", objectKey: "incoming/clip one.mp4" },
      body.stream,
      { maxBytes: 64 * MiB },
    );
    expect(result).toMatchObject({
      _tag: "Uploaded",
      url: `s3://${s3.bucket}/incoming/clip%20one.mp4`,
      sizeBytes: 12 * MiB,
      sha256: body.digest(),
    });
    const object = await s3Storage.get({ key: "incoming/clip one.mp4" });
    if (object._tag !== "ObjectBody") throw new Error(object.message);
    const hash = createHash("sha256");
    for await (const chunk of object.body) hash.update(chunk as Buffer);
    expect(hash.digest("hex")).toBe(body.digest());
  });

  it("names an object without object_key uploads/<uuid>-<name>, and leaves nothing of a refused one", async () => {
    const named = await uploadToStorage(
      storage,
      { fileName: "../x.mp4", pluginId: "storage-s3" },
      generated(1000).stream,
      { maxBytes: MiB },
    );
    expect(named._tag === "Uploaded" && named.ref.key).toMatch(/^uploads\/[0-9a-f-]{36}-x\.mp4$/);
    const over = await uploadToStorage(
      storage,
      { fileName: "big.mp4", pluginId: "storage-s3", objectKey: "refused/big.mp4" },
      generated(12 * MiB).stream,
      { maxBytes: 6 * MiB },
    );
    expect(over).toMatchObject({ reason: "too_large", status: 413 });
    expect(await s3Keys("refused/")).toEqual([]);
  });
});
