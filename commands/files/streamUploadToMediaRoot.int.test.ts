import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, stat, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resolveMediaPath } from "../../plugins/sdk/sources/resolveMediaPath.ts";
import {
  devFullUploadFileSystem,
  failingUploadFileSystem,
  type UploadOperation,
} from "../../test/support/failingUploadFileSystem.ts";
import { streamUpload } from "./streamUploadToMediaRoot.ts";

const MiB = 1024 * 1024;

let base: string;
let root: string;

beforeEach(async () => {
  base = await realpath(await mkdtemp(join(tmpdir(), "webencode-upload-")));
  root = join(base, "media");
  await mkdir(root);
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

const uploadsContent = async (): Promise<string[]> => readdir(join(root, "uploads")).catch(() => []);

/** `totalBytes` of a deterministic pattern in fresh 64 KiB chunks, hashed as it is produced. */
const generated = (totalBytes: number, onChunk?: (sent: number) => Promise<void>) => {
  const hash = createHash("sha256");
  async function* chunks() {
    let sent = 0;
    while (sent < totalBytes) {
      const size = Math.min(64 * 1024, totalBytes - sent);
      const chunk = Buffer.allocUnsafe(size).fill(sent % 251);
      hash.update(chunk);
      sent += size;
      yield chunk;
      await onChunk?.(sent);
    }
  }
  return { stream: Readable.from(chunks()), digest: () => hash.digest("hex") };
};

describe("streamUpload", () => {
  it("streams 200 MiB to disk with RSS growing far less than the body, then renames it into place", async () => {
    const body = generated(200 * MiB);
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 10);
    const result = await streamUpload(body.stream, {
      mediaRoot: root,
      fileName: "big talk.mp4",
      maxBytes: 256 * MiB,
    });
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);

    expect(peak - before).toBeLessThan(64 * MiB);
    expect(result).toMatchObject({ _tag: "Uploaded", sizeBytes: 200 * MiB, sha256: body.digest() });
    if (result._tag !== "Uploaded") return;
    expect((await stat(result.path)).size).toBe(200 * MiB);
    expect(result.url).toMatch(/^fs:\/\/uploads\/[0-9a-f-]{36}-big%20talk\.mp4$/);
    expect(await uploadsContent()).toEqual([result.path.split("/").at(-1)]);
    expect(await resolveMediaPath(root, result.url)).toMatchObject({ _tag: "Resolved", path: result.path });
  });

  it("accepts a web ReadableStream body", async () => {
    const payload = Buffer.from("web stream body ".repeat(100_000));
    let offset = 0;
    const web = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= payload.length) return controller.close();
        controller.enqueue(payload.subarray(offset, offset + 10_000));
        offset += 10_000;
      },
    });
    const result = await streamUpload(web, { mediaRoot: root, fileName: "web.webm", maxBytes: 10 * MiB });
    expect(result).toMatchObject({
      _tag: "Uploaded",
      sizeBytes: payload.length,
      sha256: createHash("sha256").update(payload).digest("hex"),
    });
    if (result._tag === "Uploaded") expect((await readFile(result.path)).equals(payload)).toBe(true);
  });

  it("accepts a body of exactly maxBytes and refuses one byte more, leaving nothing behind", async () => {
    const exact = await streamUpload(generated(MiB).stream, {
      mediaRoot: root,
      fileName: "a.mp4",
      maxBytes: MiB,
    });
    expect(exact).toMatchObject({ _tag: "Uploaded", sizeBytes: MiB });
    await rm(join(root, "uploads"), { recursive: true });

    const over = await streamUpload(generated(MiB + 1).stream, {
      mediaRoot: root,
      fileName: "a.mp4",
      maxBytes: MiB,
    });
    expect(over).toMatchObject({
      _tag: "UploadRefused",
      reason: "too_large",
      code: "WE-STO-003",
      status: 413,
      receivedBytes: MiB + 1,
    });
    if (over._tag === "UploadRefused") {
      expect(over.message).toContain("1.0 MiB");
      expect(over.hint).not.toBe("");
    }
    expect(await uploadsContent()).toEqual([]);
  });

  it("stops reading an endless body at the limit", async () => {
    let produced = 0;
    const endless = new Readable({
      read() {
        produced += 64 * 1024;
        this.push(Buffer.alloc(64 * 1024));
      },
    });
    const result = await streamUpload(endless, { mediaRoot: root, fileName: "x.mp4", maxBytes: 4 * MiB });
    expect(result).toMatchObject({ reason: "too_large" });
    expect(endless.destroyed).toBe(true);
    expect(produced).toBeLessThan(8 * MiB);
    expect(await uploadsContent()).toEqual([]);
  });

  it("leaves nothing behind when the body fails before the file is even open", async () => {
    const first = await streamUpload(Readable.from([Buffer.alloc(64 * 1024)]), {
      mediaRoot: root,
      fileName: "x.mp4",
      maxBytes: 10,
    });
    expect(first).toMatchObject({ reason: "too_large", receivedBytes: 64 * 1024 });
    const broken = new Readable({ read() {} });
    broken.destroy(new Error("connection reset before the body"));
    expect(await streamUpload(broken, { mediaRoot: root, fileName: "x.mp4", maxBytes: 10 })).toMatchObject({
      reason: "aborted",
    });
    expect(await uploadsContent()).toEqual([]);
  });

  it("writes to a .part file and shows the final name only once complete", async () => {
    const seen: string[][] = [];
    const body = generated(MiB, async (sent) => {
      if (sent === 512 * 1024) seen.push(await uploadsContent());
    });
    const result = await streamUpload(body.stream, { mediaRoot: root, fileName: "clip.mp4", maxBytes: MiB });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toHaveLength(1);
    expect(seen[0]?.[0]).toMatch(/^[0-9a-f-]{36}-clip\.mp4\.part$/);
    expect(result._tag === "Uploaded" && (await uploadsContent())).toEqual([
      seen[0]?.[0]?.replace(/\.part$/, ""),
    ]);
  });

  it("removes the partial file when the client goes away mid-body", async () => {
    let pushed = 0;
    const dying = new Readable({
      read() {
        pushed++;
        if (pushed <= 3) this.push(Buffer.alloc(64 * 1024, 1));
        else this.destroy(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }));
      },
    });
    const result = await streamUpload(dying, { mediaRoot: root, fileName: "x.mp4", maxBytes: 10 * MiB });
    expect(result).toMatchObject({
      _tag: "UploadRefused",
      reason: "aborted",
      code: "WE-JOB-001",
      status: 400,
    });
    expect(await uploadsContent()).toEqual([]);
  });

  it("removes the partial file when a web stream errors", async () => {
    let pulls = 0;
    const web = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls++;
        if (pulls > 3) controller.error(new TypeError("terminated"));
        else controller.enqueue(new Uint8Array(64 * 1024));
      },
    });
    const result = await streamUpload(web, { mediaRoot: root, fileName: "x.mp4", maxBytes: 10 * MiB });
    expect(result).toMatchObject({ reason: "aborted" });
    expect(await uploadsContent()).toEqual([]);
  });

  it("removes the partial file when the caller aborts", async () => {
    const controller = new AbortController();
    const body = generated(8 * MiB, async (sent) => {
      if (sent === MiB) controller.abort();
    });
    const result = await streamUpload(body.stream, {
      mediaRoot: root,
      fileName: "x.mp4",
      maxBytes: 10 * MiB,
      signal: controller.signal,
    });
    expect(result).toMatchObject({ reason: "aborted" });
    expect(await uploadsContent()).toEqual([]);
  });

  it("refuses an empty body", async () => {
    const result = await streamUpload(Readable.from([]), {
      mediaRoot: root,
      fileName: "x.mp4",
      maxBytes: MiB,
    });
    expect(result).toMatchObject({ _tag: "UploadRefused", reason: "empty", status: 400 });
    expect(await uploadsContent()).toEqual([]);
  });

  it("keeps a hostile file name inside uploads/ and gives concurrent uploads their own files", async () => {
    const [a, b] = await Promise.all(
      ["../../../etc/cron.d/evil.mp4", "../../../etc/cron.d/evil.mp4"].map((fileName) =>
        streamUpload(generated(1000).stream, { mediaRoot: root, fileName, maxBytes: MiB }),
      ),
    );
    expect(a).toMatchObject({ _tag: "Uploaded" });
    expect(b).toMatchObject({ _tag: "Uploaded" });
    if (a?._tag !== "Uploaded" || b?._tag !== "Uploaded") return;
    expect(a.path).not.toBe(b.path);
    for (const { path } of [a, b])
      expect(path).toMatch(new RegExp(`^${root}/uploads/[0-9a-f-]{36}-evil\\.mp4$`));
    expect(await readdir(base)).toEqual(["media"]);
  });

  it("round-trips a unicode name with URL-special characters through resolveMediaPath", async () => {
    const result = await streamUpload(generated(10).stream, {
      mediaRoot: root,
      fileName: "Ma vidéo #1 (été) ?.mp4",
      maxBytes: MiB,
    });
    expect(result._tag).toBe("Uploaded");
    if (result._tag !== "Uploaded") return;
    expect(result.path.endsWith("-Ma vidéo #1 (été) _.mp4")).toBe(true);
    expect(await resolveMediaPath(root, result.url)).toMatchObject({ _tag: "Resolved", path: result.path });
  });

  it("works with a media root that is itself a symlink", async () => {
    const link = join(base, "media-link");
    await symlink(root, link);
    const result = await streamUpload(generated(10).stream, {
      mediaRoot: link,
      fileName: "a.mp4",
      maxBytes: MiB,
    });
    expect(result).toMatchObject({ _tag: "Uploaded" });
    if (result._tag === "Uploaded") expect(result.path.startsWith(`${root}/uploads/`)).toBe(true);
  });

  it("refuses to write through an uploads/ symlink that leads out of the media root", async () => {
    await mkdir(join(base, "elsewhere"));
    await symlink(join(base, "elsewhere"), join(root, "uploads"));
    await expect(
      streamUpload(generated(10).stream, { mediaRoot: root, fileName: "a.mp4", maxBytes: MiB }),
    ).rejects.toThrow(/outside the media root/);
    expect(await readdir(join(base, "elsewhere"))).toEqual([]);
  });

  it("rejects a nonsensical limit as a programming error", async () => {
    await expect(
      streamUpload(generated(1).stream, { mediaRoot: root, fileName: "a", maxBytes: 0 }),
    ).rejects.toThrow(RangeError);
  });
});

describe("streamUpload when the disk fails", () => {
  const faults: Array<[UploadOperation, string, { code: string; status: number; reason: string }]> = [
    ["create", "EMFILE", { code: "WE-STO-004", status: 503, reason: "storage_busy" }],
    ["create", "EACCES", { code: "WE-STO-002", status: 500, reason: "storage_denied" }],
    ["write", "EIO", { code: "WE-STO-004", status: 500, reason: "storage_failed" }],
    ["write", "ENOSPC", { code: "WE-STO-003", status: 507, reason: "storage_full" }],
    ["sync", "ENOSPC", { code: "WE-STO-003", status: 507, reason: "storage_full" }],
    ["sync", "EIO", { code: "WE-STO-004", status: 500, reason: "storage_failed" }],
    ["close", "EDQUOT", { code: "WE-STO-003", status: 507, reason: "storage_full" }],
    ["rename", "ENOSPC", { code: "WE-STO-003", status: 507, reason: "storage_full" }],
    ["rename", "EROFS", { code: "WE-STO-002", status: 500, reason: "storage_denied" }],
  ];
  for (const [operation, errno, expected] of faults) {
    it(`${errno} at ${operation} answers ${expected.code} (${expected.status}) with a hint, and leaves nothing behind`, async () => {
      const result = await streamUpload(generated(MiB).stream, {
        mediaRoot: root,
        fileName: "clip.mp4",
        maxBytes: 10 * MiB,
        files: failingUploadFileSystem(operation, errno),
      });
      expect(result).toMatchObject({ _tag: "UploadRefused", ...expected });
      if (result._tag !== "UploadRefused") return;
      expect(result.hint.length).toBeGreaterThan(20);
      expect(result.cause).toMatchObject({ code: errno });
      expect(await uploadsContent()).toEqual([]);
      // the next upload, on a healthy disk, is stored as usual
      const next = await streamUpload(generated(1000).stream, {
        mediaRoot: root,
        fileName: "next.mp4",
        maxBytes: MiB,
      });
      expect(next).toMatchObject({ _tag: "Uploaded", sizeBytes: 1000 });
    });
  }

  it("answers 507 when the kernel refuses the write (/dev/full), and removes the partial file", async () => {
    const result = await streamUpload(generated(MiB).stream, {
      mediaRoot: root,
      fileName: "clip.mp4",
      maxBytes: 10 * MiB,
      files: devFullUploadFileSystem,
    });
    expect(result).toMatchObject({ _tag: "UploadRefused", code: "WE-STO-003", status: 507 });
    expect(await uploadsContent()).toEqual([]);
  });

  it("answers 507 on a real full disk (a 1 MiB tmpfs, as root) and leaves nothing on it", async (context) => {
    const run = promisify(execFile);
    const small = join(base, "small");
    await mkdir(small);
    const mounted = await run("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", small]).then(
      () => true,
      () => false,
    );
    if (!mounted) context.skip("mounting a tmpfs needs root");
    try {
      const result = await streamUpload(generated(2 * MiB).stream, {
        mediaRoot: small,
        fileName: "big.mp4",
        maxBytes: 10 * MiB,
      });
      expect(result).toMatchObject({ _tag: "UploadRefused", code: "WE-STO-003", status: 507 });
      expect(await readdir(join(small, "uploads"))).toEqual([]);
      const fits = await streamUpload(generated(100_000).stream, {
        mediaRoot: small,
        fileName: "small.mp4",
        maxBytes: 10 * MiB,
      });
      expect(fits).toMatchObject({ _tag: "Uploaded", sizeBytes: 100_000 });
    } finally {
      await run("umount", [small]);
    }
  });
});
