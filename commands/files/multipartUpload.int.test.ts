import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type AtomicFileSystem, createFsStorage, PARTIAL_PREFIX } from "../../plugins/storage-fs/index.ts";
import { failingAtomicFileSystem } from "../../test/support/failingAtomicFileSystem.ts";
import { isMultipart, uploadMultipart } from "./multipartUpload.ts";
import type { UploadStorage } from "./uploadToStorage.ts";

const MiB = 1024 * 1024;
let base: string;
let mediaRoot: string;
let storage: UploadStorage;

/** storage-fs over the media folder, as the kernel runs it; over a failing disk when `files` says so. */
const mediaStorage = async (files?: AtomicFileSystem): Promise<UploadStorage> => {
  const fs = await createFsStorage({ root: mediaRoot, signing_key: "m".repeat(32) }, files);
  return { fs, byId: new Map([["storage-fs", fs]]) };
};

beforeEach(async () => {
  base = await realpath(await mkdtemp(join(tmpdir(), "webencode-multipart-")));
  mediaRoot = join(base, "media");
  await mkdir(mediaRoot);
  storage = await mediaStorage();
});
afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

/** A real multipart body and its content type, as fetch (and curl -F) make them. */
function form(fields: Array<[string, string | Blob, string?]>) {
  const data = new FormData();
  for (const [name, value, fileName] of fields) {
    if (typeof value === "string") data.append(name, value);
    else data.append(name, value, fileName);
  }
  const request = new Request("http://upload.test/", { method: "POST", body: data });
  return { body: request.body!, contentType: request.headers.get("content-type")! };
}

const bytes = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) % 256));
const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const uploads = () => readdir(join(mediaRoot, "uploads")).catch(() => [] as string[]);

describe("multipart uploads", () => {
  it("stores the `file` part byte for byte under its file name, ignoring the other fields", async () => {
    const { body, contentType } = form([
      ["plugin_id", "storage-fs"],
      ["bucket", "media"],
      ["file", new Blob([bytes], { type: "video/mp4" }), "holiday clip.mp4"],
    ]);
    expect(isMultipart(contentType)).toBe(true);
    const result = await uploadMultipart(body, contentType, { storage, maxBytes: 10 * MiB });
    expect(result).toMatchObject({ _tag: "Uploaded", sizeBytes: bytes.length, sha256: sha256(bytes) });
    if (result._tag !== "Uploaded") return;
    expect(result.url).toMatch(/^fs:\/\/uploads\/.*holiday/);
    expect(sha256(await readFile(join(mediaRoot, result.ref.key)))).toBe(sha256(bytes));
  });

  it("names the file after ?name=, else an object_key field sent before the file, else the part", async () => {
    const keyed = form([
      ["object_key", "uploads/from-key.mp4"],
      ["file", new Blob([bytes]), "part.mp4"],
    ]);
    const byKey = await uploadMultipart(keyed.body, keyed.contentType, { storage, maxBytes: 10 * MiB });
    expect(byKey._tag === "Uploaded" && byKey.url).toMatch(/from-key\.mp4$/);
    const named = form([
      ["object_key", "from-key.mp4"],
      ["file", new Blob([bytes]), "part.mp4"],
    ]);
    const byQuery = await uploadMultipart(named.body, named.contentType, {
      storage,
      maxBytes: 10 * MiB,
      fileName: "from-query.mp4",
    });
    expect(byQuery._tag === "Uploaded" && byQuery.url).toMatch(/from-query\.mp4$/);
  });

  it("refuses a form without a `file` part, and a file over the limit, leaving nothing behind", async () => {
    const empty = form([["video", new Blob([bytes]), "a.mp4"]]);
    expect(
      await uploadMultipart(empty.body, empty.contentType, { storage, maxBytes: 10 * MiB }),
    ).toMatchObject({
      _tag: "FormRefused",
      message: expect.stringMatching(/no `file` part/),
    });
    const big = form([["file", new Blob([bytes]), "big.mp4"]]);
    expect(await uploadMultipart(big.body, big.contentType, { storage, maxBytes: 100_000 })).toMatchObject({
      _tag: "UploadRefused",
      reason: "too_large",
      status: 413,
    });
    expect(await uploads()).toEqual([]);
  });

  it("refuses a body that is not the form its content type says", async () => {
    const garbage = new Request("http://upload.test/", { method: "POST", body: "this is not a form" }).body!;
    const result = await uploadMultipart(garbage, "multipart/form-data; boundary=xyz", {
      storage,
      maxBytes: MiB,
    });
    expect(result._tag).toBe("FormRefused");
    const noBoundary = new Request("http://upload.test/", { method: "POST", body: "x" }).body!;
    expect(
      (await uploadMultipart(noBoundary, "multipart/form-data; charset=utf-8", { storage, maxBytes: MiB }))
        ._tag,
    ).toBe("FormRefused");
    // without a boundary at all it is still taken for a form, and refused as one
    expect(isMultipart("multipart/form-data")).toBe(true);
    const bare = new Request("http://upload.test/", { method: "POST", body: "x" }).body!;
    expect((await uploadMultipart(bare, "multipart/form-data", { storage, maxBytes: MiB }))._tag).toBe(
      "FormRefused",
    );
    expect(await uploads()).toEqual([]);
  });

  it("streams a 200 MiB file part to disk without holding it in memory", async () => {
    const boundary = "----webencode-test-boundary";
    const total = 200 * MiB;
    const hash = createHash("sha256");
    let sent = 0;
    let headerSent = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (!headerSent) {
          headerSent = true;
          controller.enqueue(
            Buffer.from(
              `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.mp4"\r\n` +
                "Content-Type: video/mp4\r\n\r\n",
            ),
          );
          return;
        }
        if (sent < total) {
          const chunk = Buffer.alloc(Math.min(256 * 1024, total - sent), sent % 251);
          hash.update(chunk);
          sent += chunk.length;
          controller.enqueue(chunk);
          return;
        }
        controller.enqueue(Buffer.from(`\r\n--${boundary}--\r\n`));
        controller.close();
      },
    });
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 10);
    const result = await uploadMultipart(body, `multipart/form-data; boundary=${boundary}`, {
      storage,
      maxBytes: 256 * MiB,
    });
    clearInterval(sampler);
    expect(result).toMatchObject({ _tag: "Uploaded", sizeBytes: total, sha256: hash.digest("hex") });
    expect(peak - before).toBeLessThan(64 * MiB);
  }, 60_000);
});

/**
 * A form whose file part arrives whole, then `rest` once `before` has resolved: the part is stored
 * (or not) before the form goes on, whatever the machine's speed. `rest` may end the body with an error.
 */
function formInTwoActs(before: () => Promise<void>, rest: string | Error) {
  const boundary = "----webencode-two-acts";
  let act = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      act++;
      if (act === 1) {
        controller.enqueue(
          Buffer.from(
            `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="clip.mp4"\r\n\r\n`,
          ),
        );
        controller.enqueue(bytes);
        // the part's closing delimiter: busboy ends the file stream here
        controller.enqueue(Buffer.from(`\r\n--${boundary}\r\n`));
        return;
      }
      await before();
      if (rest instanceof Error) controller.error(rest);
      else {
        controller.enqueue(Buffer.from(rest));
        controller.close();
      }
    },
  });
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

const storedFile = async () => {
  for (let i = 0; i < 600; i++) {
    if ((await uploads()).some((name) => !name.startsWith(PARTIAL_PREFIX))) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("the file part was never stored");
};

describe("multipart uploads that fail", () => {
  it("removes the stored file when the form breaks after its file part", async () => {
    const broken = formInTwoActs(storedFile, "this is no part header\r\n\r\n");
    const result = await uploadMultipart(broken.body, broken.contentType, { storage, maxBytes: 10 * MiB });
    expect(result).toMatchObject({ _tag: "FormRefused", message: expect.stringMatching(/malformed/) });
    expect(await uploads()).toEqual([]);
  });

  it("removes the stored file when the client goes away after the file part", async () => {
    const gone = formInTwoActs(storedFile, new TypeError("terminated"));
    const result = await uploadMultipart(gone.body, gone.contentType, { storage, maxBytes: 10 * MiB });
    expect(result._tag).not.toBe("Uploaded");
    expect(await uploads()).toEqual([]);
  });

  it("removes the partial file when the client goes away in the middle of the file part", async () => {
    let pulls = 0;
    const boundary = "----webencode-cut";
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls++;
        if (pulls === 1) {
          controller.enqueue(
            Buffer.from(
              `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.mp4"\r\n\r\n`,
            ),
          );
        } else if (pulls < 6) controller.enqueue(Buffer.alloc(64 * 1024, pulls));
        else controller.error(new TypeError("terminated"));
      },
    });
    const result = await uploadMultipart(body, `multipart/form-data; boundary=${boundary}`, {
      storage,
      maxBytes: 10 * MiB,
    });
    expect(result._tag).not.toBe("Uploaded");
    expect(await uploads()).toEqual([]);
  });

  it("answers a failing disk with its WE-STO code instead of an unhandled rejection", async () => {
    for (const [operation, errno, code] of [
      ["sync", "ENOSPC", "WE-STO-003"],
      ["rename", "EIO", "WE-STO-004"],
      ["create", "EMFILE", "WE-STO-004"],
    ] as const) {
      const { body, contentType } = form([["file", new Blob([bytes]), "clip.mp4"]]);
      const result = await uploadMultipart(body, contentType, {
        storage: await mediaStorage(failingAtomicFileSystem(operation, errno)),
        maxBytes: 10 * MiB,
      });
      expect(result).toMatchObject({ _tag: "UploadRefused", code, hint: expect.any(String) });
      expect(await uploads()).toEqual([]);
    }
  });

  it("refuses, writing nothing, when uploads/ leads out of the media root", async () => {
    await mkdir(join(base, "elsewhere"));
    await symlink(join(base, "elsewhere"), join(mediaRoot, "uploads"));
    const { body, contentType } = form([["file", new Blob([bytes]), "clip.mp4"]]);
    expect(await uploadMultipart(body, contentType, { storage, maxBytes: 10 * MiB })).toMatchObject({
      _tag: "UploadRefused",
      code: "WE-STO-002",
    });
    expect(await readdir(join(base, "elsewhere"))).toEqual([]);
  });
});
