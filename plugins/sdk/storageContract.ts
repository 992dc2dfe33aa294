// The one contract every storage provider passes (storage-fs, storage-s3): streams in and out, ranges,
// metadata, signed URLs, listing, browsing, deletes, and keys that try to leave the root. Each test works
// under its own key prefix, so the suite also runs against a shared bucket.
import { createHash, randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { isAbsolute } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deletePrefix } from "./deletePrefix.ts";
import {
  isStorageFailure,
  type ObjectRef,
  type SignedUrl,
  type StorageFailure,
  type StorageFailureReason,
  type StorageProvider,
} from "./storageProvider.ts";

export interface StorageContractHarness {
  readonly provider: StorageProvider;
  /** How this provider's source URLs start: `fs://` or `s3://<bucket>/`. */
  readonly urlPrefix: string;
  /** Signed URLs of this provider are absolute and answered by a real server while the harness lives. */
  dispose(): Promise<void>;
}

/** Larger than storage-s3's multipart part size, so the S3 run uploads in parts. */
export const LARGE_OBJECT_BYTES = 12 * 1024 * 1024;

/** Deterministic bytes, different at every offset, made in chunks as a network body arrives. */
export const patternBytes = (size: number, seed = 1): Buffer => {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed * 7 + (i >> 8)) & 0xff;
  return bytes;
};

export function* chunksOf(bytes: Buffer, chunkSize = 64 * 1024): Generator<Buffer> {
  for (let offset = 0; offset < bytes.length; offset += chunkSize)
    yield bytes.subarray(offset, offset + chunkSize);
}

/** A body that sends `sentBytes`, then fails as a dropped connection does. */
export const failingBody = (sentBytes: number): Readable =>
  Readable.from(
    (async function* () {
      yield* chunksOf(patternBytes(sentBytes));
      await new Promise((resolve) => setTimeout(resolve, 10));
      throw new Error("connection reset by peer");
    })(),
  );

const sha256 = (bytes: Buffer): string => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

export const readAll = async (body: Readable): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

const expectFailure = (value: unknown, reason: StorageFailureReason): StorageFailure => {
  expect(value).toMatchObject({ _tag: "StorageFailure", reason });
  const failure = value as StorageFailure;
  expect(failure.message.length).toBeGreaterThan(0);
  expect(failure.hint.length).toBeGreaterThan(0);
  return failure;
};

function must<T extends { _tag: string }>(value: T | StorageFailure, tag: T["_tag"]): T {
  if (value._tag !== tag) throw new Error(`expected ${tag}, got ${JSON.stringify(value)}`);
  return value as T;
}

/** Keys that must never reach a file outside the root nor an object other than the one spelled. */
export const ESCAPING_KEYS: readonly string[] = [
  "../escape.txt",
  "a/../../escape.txt",
  "a/..",
  "./a.txt",
  "a/./b.txt",
  "/etc/passwd",
  "\\etc\\passwd",
  "C:/Windows/win.ini",
  "a\\..\\..\\escape.txt",
  "a//b.txt",
  "a/",
  "",
  "a\u0000.txt",
  "a/b\u0000/../c.txt",
  "a\u001b.txt",
  "%2e%2e/escape.txt",
  "a/%2E%2E/%2e%2e/escape.txt",
  "..%2fescape.txt",
  "%252e%252e/escape.txt",
  "a%00.txt",
  "\u2025/escape.txt",
  "\uff0e\uff0e/escape.txt",
  "a\uff0fb.txt",
  `${"x".repeat(256)}.txt`,
];

/** Source URLs (after the scheme and bucket) that must not name anything outside the root. */
export const ESCAPING_URL_PATHS: readonly string[] = [
  "../escape.txt",
  "%2e%2e/escape.txt",
  "%2E%2E%2Fescape.txt",
  "a/%2e%2e%2f%2e%2e%2fescape.txt",
  "%252e%252e/escape.txt",
  "a%00.txt",
  "a/%5C..%5Cescape.txt",
  "/etc/passwd",
  "%2fetc%2fpasswd",
  "a?b.txt",
  "%E2%80%A5/escape.txt",
  "%zz.txt",
];

export function describeStorageContract(name: string, open: () => Promise<StorageContractHarness>) {
  describe(`${name}: storage contract`, () => {
    let harness: StorageContractHarness;
    let storage: StorageProvider;
    beforeAll(async () => {
      harness = await open();
      storage = harness.provider;
    });
    afterAll(async () => {
      await storage?.close();
      await harness?.dispose();
    });

    const prefix = () => `t-${randomUUID()}/`;

    const put = async (key: string, bytes: Buffer, contentType?: string) =>
      must(
        await storage.put(
          { key },
          Readable.from(chunksOf(bytes)),
          contentType === undefined ? {} : { contentType },
        ),
        "Stored",
      );

    const getBytes = async (ref: ObjectRef, range?: { start: number; end?: number }) => {
      const got = must(await storage.get(ref, range === undefined ? {} : { range }), "ObjectBody");
      return { ...got, bytes: await readAll(got.body) };
    };

    it("streams an object in and out, and tells its size, checksum and URL", async () => {
      const key = `${prefix()}clips/talk one ü.mp4`;
      const bytes = patternBytes(300_000);
      const stored = await put(key, bytes, "video/mp4");
      expect(stored).toMatchObject({ key, sizeBytes: bytes.length, checksum: sha256(bytes) });
      expect(stored.etag.length).toBeGreaterThan(0);
      expect(stored.url.startsWith(harness.urlPrefix)).toBe(true);
      expect(await storage.locate(stored.url)).toMatchObject({ key });

      const got = await getBytes({ key });
      expect(got.bytes.equals(bytes)).toBe(true);
      expect(got.range).toBeNull();
      expect(got.metadata).toMatchObject({ key, sizeBytes: bytes.length, contentType: "video/mp4" });
    });

    it("tells an object's metadata, and a new etag once the object is replaced", async () => {
      const key = `${prefix()}meta.mp4`;
      const before = Date.now();
      await put(key, patternBytes(1000), "video/mp4");
      const first = must(await storage.head({ key }), "ObjectMetadata");
      expect(first).toMatchObject({ key, sizeBytes: 1000, contentType: "video/mp4" });
      const modified = Date.parse(first.modifiedAt);
      expect(modified).toBeGreaterThanOrEqual(before - 60_000);
      expect(modified).toBeLessThanOrEqual(Date.now() + 60_000);

      await put(key, patternBytes(2000, 2), "video/mp4");
      const second = must(await storage.head({ key }), "ObjectMetadata");
      expect(second.sizeBytes).toBe(2000);
      expect(second.etag).not.toBe(first.etag);
      expect((await getBytes({ key })).bytes.equals(patternBytes(2000, 2))).toBe(true);
    });

    it("serves byte ranges, clamps an end past the object and refuses a start past it", async () => {
      const key = `${prefix()}range.bin`;
      const bytes = patternBytes(1000);
      await put(key, bytes);

      const middle = await getBytes({ key }, { start: 10, end: 19 });
      expect(middle.bytes.equals(bytes.subarray(10, 20))).toBe(true);
      expect(middle.range).toEqual({ start: 10, end: 19 });
      expect(middle.metadata.sizeBytes).toBe(1000);

      const tail = await getBytes({ key }, { start: 990 });
      expect(tail.bytes.equals(bytes.subarray(990))).toBe(true);
      expect(tail.range).toEqual({ start: 990, end: 999 });

      const clamped = await getBytes({ key }, { start: 995, end: 5000 });
      expect(clamped.bytes.equals(bytes.subarray(995))).toBe(true);
      expect(clamped.range).toEqual({ start: 995, end: 999 });

      expectFailure(await storage.get({ key }, { range: { start: 1000 } }), "invalid_range");
      expectFailure(await storage.get({ key }, { range: { start: 20, end: 10 } }), "invalid_range");
      expectFailure(await storage.get({ key }, { range: { start: -1 } }), "invalid_range");
    });

    it("answers not_found for a key that holds nothing", async () => {
      const key = `${prefix()}missing.mp4`;
      expectFailure(await storage.head({ key }), "not_found");
      expectFailure(await storage.get({ key }), "not_found");
    });

    it("deletes an object, and deleting it again succeeds", async () => {
      const key = `${prefix()}gone.mp4`;
      await put(key, patternBytes(100));
      expect(await storage.delete({ key })).toEqual({ _tag: "Deleted" });
      expectFailure(await storage.head({ key }), "not_found");
      expect(await storage.delete({ key })).toEqual({ _tag: "Deleted" });
    });

    it("hands a stored object to a reader as a checked local file or a URL that serves it and its ranges", async () => {
      const base = prefix();
      const bytes = patternBytes(4000, 3);
      await put(`${base}clip.mp4`, bytes);
      const location = await storage.readableLocation({ key: `${base}clip.mp4` }, { expiresInSeconds: 600 });
      if (isStorageFailure(location)) throw new Error(`expected a location, got ${location.message}`);
      if (location._tag === "LocalFile") {
        expect(isAbsolute(location.path)).toBe(true);
        expect((await readFile(location.path)).equals(bytes)).toBe(true);
      } else {
        expect(Date.parse(location.expiresAt)).toBeGreaterThan(Date.now() + 500_000);
        const whole = await fetch(location.url);
        expect(Buffer.from(await whole.arrayBuffer()).equals(bytes)).toBe(true);
        // ffmpeg seeks with ranges
        const ranged = await fetch(location.url, { headers: { range: "bytes=1000-1099" } });
        expect(ranged.status).toBe(206);
        expect(Buffer.from(await ranged.arrayBuffer()).equals(bytes.subarray(1000, 1100))).toBe(true);
      }
      expectFailure(
        await storage.readableLocation({ key: `${base}missing.mp4` }, { expiresInSeconds: 600 }),
        "not_found",
      );
      // a folder is no object to read
      await put(`${base}folder/inner.mp4`, bytes);
      expectFailure(
        await storage.readableLocation({ key: `${base}folder` }, { expiresInSeconds: 600 }),
        "not_found",
      );
    });

    it("deletes everything under a prefix and nothing beside it; emptied folders go too", async () => {
      const base = prefix();
      const keys = ["work/job/a.mp4", "work/job/task/1.mp4", "work/job/task/2.mp4", "work/jobs-other.mp4"];
      for (const key of keys) await put(`${base}${key}`, patternBytes(300));
      expect(await deletePrefix(storage, `${base}work/job`)).toEqual({
        _tag: "PrefixDeleted",
        deletedObjects: 3,
      });
      const left = must(await storage.list({ prefix: base }), "ListPage");
      expect(left.objects.map((object) => object.key)).toEqual([`${base}work/jobs-other.mp4`]);
      const listing = must(await storage.browse({ path: `${base}work`, showHidden: true }), "BrowseListing");
      expect(listing.entries.map((entry) => entry.name)).toEqual(["jobs-other.mp4"]);
      expect(await deletePrefix(storage, `${base}work/job`)).toEqual({
        _tag: "PrefixDeleted",
        deletedObjects: 0,
      });
    });

    it("lists by prefix in key order, across more than one page", async () => {
      const base = prefix();
      // no sibling name sorts before "/" ("b.txt" beside "b/"): s3rver pages those out of key order
      const keys = ["a.mp4", "b/c.mp4", "b/d/e.mp4", "ba.mp4", "bb.txt", "c.mp4", "z/y.mp4"].map(
        (k) => base + k,
      );
      for (const key of keys) await put(key, patternBytes(10));
      await put(`${prefix()}other.mp4`, patternBytes(10));

      const seen: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = must(
          await storage.list({
            prefix: base,
            maxKeys: 3,
            ...(token === undefined ? {} : { continuationToken: token }),
          }),
          "ListPage",
        );
        expect(page.objects.length).toBeLessThanOrEqual(3);
        for (const object of page.objects) expect(object).toMatchObject({ sizeBytes: 10 });
        seen.push(...page.objects.map((object) => object.key));
        token = page.nextContinuationToken ?? undefined;
        pages++;
      } while (token !== undefined && pages < 10);
      expect(pages).toBe(3);
      expect(seen).toEqual([...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));

      const partial = must(await storage.list({ prefix: `${base}b` }), "ListPage");
      expect(partial.objects.map((object) => object.key)).toEqual(
        ["b/c.mp4", "b/d/e.mp4", "ba.mp4", "bb.txt"].map((k) => base + k),
      );

      const rolled = must(await storage.list({ prefix: base, delimiter: "/" }), "ListPage");
      expect(rolled.objects.map((object) => object.key)).toEqual(
        ["a.mp4", "ba.mp4", "bb.txt", "c.mp4"].map((k) => base + k),
      );
      expect(rolled.commonPrefixes).toEqual([`${base}b/`, `${base}z/`]);

      const none = must(await storage.list({ prefix: `${base}nothing/` }), "ListPage");
      expect(none).toMatchObject({ objects: [], commonPrefixes: [], nextContinuationToken: null });
    });

    it("browses a folder: folders first, media kinds, hidden names, media only and search", async () => {
      const base = prefix();
      for (const key of ["talk.mp4", "song.mp3", "notes.txt", ".hidden.mp4", "sub/inner.mkv", "cover.jpg"]) {
        await put(base + key, patternBytes(42));
      }
      const folder = base.slice(0, -1);
      const listing = must(await storage.browse({ path: folder }), "BrowseListing");
      expect(listing.currentPath).toBe(folder);
      expect(listing.parentPath).toBe(folder.split("/").slice(0, -1).join("/"));
      expect(listing.entries.map((entry) => entry.name)).toEqual([
        "sub",
        "cover.jpg",
        "notes.txt",
        "song.mp3",
        "talk.mp4",
      ]);
      expect(listing.entries[0]).toMatchObject({ path: `${folder}/sub`, isDirectory: true });
      expect(listing.entries.find((entry) => entry.name === "talk.mp4")).toMatchObject({
        path: `${folder}/talk.mp4`,
        isDirectory: false,
        sizeBytes: 42,
        extension: "mp4",
        kind: "video",
      });
      expect(listing.entries.find((entry) => entry.name === "song.mp3")?.kind).toBe("audio");
      expect(listing.entries.find((entry) => entry.name === "cover.jpg")?.kind).toBe("image");

      const media = must(await storage.browse({ path: folder, mediaOnly: true }), "BrowseListing");
      expect(media.entries.map((entry) => entry.name)).toEqual(["sub", "cover.jpg", "song.mp3", "talk.mp4"]);
      const hidden = must(await storage.browse({ path: folder, showHidden: true }), "BrowseListing");
      expect(hidden.entries.map((entry) => entry.name)).toContain(".hidden.mp4");
      const searched = must(await storage.browse({ path: folder, search: "TALK" }), "BrowseListing");
      expect(searched.entries.map((entry) => entry.name)).toEqual(["talk.mp4"]);

      const inner = must(await storage.browse({ path: `${folder}/sub` }), "BrowseListing");
      expect(inner.parentPath).toBe(folder);
      expect(inner.entries.map((entry) => entry.path)).toEqual([`${folder}/sub/inner.mkv`]);

      expectFailure(await storage.browse({ path: `${folder}/absent` }), "not_found");
      const roots = must(await storage.browseRoots(), "BrowseRoots");
      expect(roots.roots.length).toBeGreaterThan(0);
      expect(roots.roots[0]).toMatchObject({ path: "", isDirectory: true });
    });

    it("signs download URLs that serve the object and its ranges until they expire", async () => {
      const base = prefix();
      const bytes = patternBytes(5000);
      await put(`${base}one.txt`, bytes);
      await put(`${base}two.txt`, patternBytes(5000, 9));

      const signed = must(
        await storage.signedUrl({ ref: { key: `${base}one.txt` }, method: "GET", expiresInSeconds: 300 }),
        "SignedUrl",
      );
      expect(Date.parse(signed.expiresAt)).toBeGreaterThan(Date.now() + 200_000);
      const whole = await fetch(signed.url, { headers: signed.headers });
      expect(whole.status).toBe(200);
      expect(Buffer.from(await whole.arrayBuffer()).equals(bytes)).toBe(true);

      const ranged = await fetch(signed.url, { headers: { ...signed.headers, range: "bytes=100-199" } });
      expect(ranged.status).toBe(206);
      expect(Buffer.from(await ranged.arrayBuffer()).equals(bytes.subarray(100, 200))).toBe(true);

      const short = must(
        await storage.signedUrl({ ref: { key: `${base}one.txt` }, method: "GET", expiresInSeconds: 1 }),
        "SignedUrl",
      );
      await new Promise((resolve) => setTimeout(resolve, 2500));
      const expired = await fetch(short.url, { headers: short.headers });
      await expired.arrayBuffer();
      expect(expired.status).toBe(403);
    });

    it("refuses a signed URL whose key or signature was changed", async () => {
      const base = prefix();
      await put(`${base}one.txt`, patternBytes(100));
      await put(`${base}two.txt`, patternBytes(100, 3));
      const signed = must(
        await storage.signedUrl({ ref: { key: `${base}one.txt` }, method: "GET", expiresInSeconds: 300 }),
        "SignedUrl",
      );
      expect(signed.url).toContain("one.txt");
      const otherKey = await fetch(signed.url.replace("one.txt", "two.txt"), { headers: signed.headers });
      await otherKey.arrayBuffer();
      expect(otherKey.status).toBe(403);

      const url = new URL(signed.url);
      const signatureName = [...url.searchParams.keys()].find((name) => /signature/i.test(name));
      expect(signatureName).toBeDefined();
      const signature = url.searchParams.get(signatureName!)!;
      url.searchParams.set(signatureName!, `${signature.slice(0, -1)}${signature.endsWith("a") ? "b" : "a"}`);
      const forged = await fetch(url, { headers: signed.headers });
      await forged.arrayBuffer();
      expect(forged.status).toBe(403);
    });

    it("signs upload URLs that store the body sent to them, and only there", async () => {
      const base = prefix();
      const bytes = patternBytes(70_000);
      const signed: SignedUrl = must(
        await storage.signedUrl({
          ref: { key: `${base}up.mp4` },
          method: "PUT",
          expiresInSeconds: 300,
          contentType: "video/mp4",
        }),
        "SignedUrl",
      );
      expect(signed.method).toBe("PUT");
      const tampered = await fetch(signed.url.replace("up.mp4", "xx.mp4"), {
        method: "PUT",
        headers: signed.headers,
        body: bytes,
      });
      await tampered.arrayBuffer();
      expect(tampered.status).toBe(403);
      expectFailure(await storage.head({ key: `${base}xx.mp4` }), "not_found");

      const uploaded = await fetch(signed.url, { method: "PUT", headers: signed.headers, body: bytes });
      await uploaded.arrayBuffer();
      expect(uploaded.status).toBeLessThan(300);
      expect((await getBytes({ key: `${base}up.mp4` })).bytes.equals(bytes)).toBe(true);
    });

    it("streams a large object in and out whole", async () => {
      const key = `${prefix()}large.bin`;
      const bytes = patternBytes(LARGE_OBJECT_BYTES, 5);
      const stored = await put(key, bytes);
      expect(stored).toMatchObject({ sizeBytes: LARGE_OBJECT_BYTES, checksum: sha256(bytes) });
      const got = must(await storage.get({ key }), "ObjectBody");
      const hash = createHash("sha256");
      let size = 0;
      for await (const chunk of got.body) {
        hash.update(chunk as Buffer);
        size += (chunk as Buffer).length;
      }
      expect(size).toBe(LARGE_OBJECT_BYTES);
      expect(`sha256:${hash.digest("hex")}`).toBe(sha256(bytes));
    });

    it("leaves nothing behind when the body fails, small or larger than a part", async () => {
      const base = prefix();
      for (const [name, sent] of [
        ["small.mp4", 200_000],
        ["large.mp4", LARGE_OBJECT_BYTES - 1024 * 1024],
      ] as const) {
        expectFailure(await storage.put({ key: base + name }, failingBody(sent)), "aborted");
        expectFailure(await storage.head({ key: base + name }), "not_found");
      }
      const page = must(await storage.list({ prefix: base }), "ListPage");
      expect(page.objects).toEqual([]);
    });

    it("leaves nothing behind, nor the object it replaces, when the write is aborted", async () => {
      const key = `${prefix()}kept.mp4`;
      await put(key, patternBytes(500));
      const controller = new AbortController();
      const endless = Readable.from(
        (async function* () {
          for (let i = 0; ; i++) {
            if (i === 20) controller.abort();
            yield patternBytes(64 * 1024, i);
            await new Promise((resolve) => setTimeout(resolve, 1));
          }
        })(),
      );
      expectFailure(await storage.put({ key }, endless, { signal: controller.signal }), "aborted");
      expect((await getBytes({ key })).bytes.equals(patternBytes(500))).toBe(true);
    });

    it("refuses keys that climb out of the root, are absolute, or hold NUL, controls or encodings", async () => {
      const body = () => Readable.from([Buffer.from("escape")]);
      for (const key of ESCAPING_KEYS) {
        expectFailure(await storage.put({ key }, body()), "invalid_key");
        expectFailure(await storage.get({ key }), "invalid_key");
        expectFailure(await storage.head({ key }), "invalid_key");
        expectFailure(await storage.delete({ key }), "invalid_key");
        expectFailure(await storage.readableLocation({ key }, { expiresInSeconds: 60 }), "invalid_key");
        expectFailure(
          await storage.signedUrl({ ref: { key }, method: "GET", expiresInSeconds: 60 }),
          "invalid_key",
        );
      }
      for (const path of ESCAPING_URL_PATHS) {
        expectFailure(await storage.locate(`${harness.urlPrefix}${path}`), "invalid_key");
      }
      expectFailure(await storage.list({ prefix: "../" }), "invalid_key");
      expectFailure(await storage.list({ prefix: "a/../" }), "invalid_key");
      expectFailure(await storage.browse({ path: ".." }), "invalid_key");
      expectFailure(await storage.browse({ path: "a/%2e%2e" }), "invalid_key");
      expectFailure(await storage.browse({ path: "/etc" }), "invalid_key");
    });

    it("says what it can do", async () => {
      const capabilities = await storage.capabilities();
      expect(capabilities).toMatchObject({
        browse: true,
        upload: true,
        ranges: true,
        signedDownloadUrls: true,
      });
    });
  });
}
