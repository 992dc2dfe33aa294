// storage-fs's atomic write when the disk fails: each failing operation answers its storage failure with
// the disk's own error for the log, nothing partial is left, and the next write on a healthy disk works.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  devFullAtomicFileSystem,
  type FileOperation,
  failingAtomicFileSystem,
} from "../../test/support/failingAtomicFileSystem.ts";
import { createFsStorage } from "./createFsStorage.ts";
import { writeAtomically } from "./writeAtomically.ts";

const MiB = 1024 * 1024;
let base: string;
let folder: string;

beforeEach(async () => {
  base = await realpath(await mkdtemp(join(tmpdir(), "webencode-atomic-")));
  folder = join(base, "uploads");
  await mkdir(folder);
});
afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

/** `totalBytes` of a deterministic pattern in 64 KiB chunks, hashed as it is produced. */
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

describe("writeAtomically", () => {
  it("shows the final name only once complete, with the checksum of what streamed through", async () => {
    const seen: string[][] = [];
    const body = generated(MiB, async (sent) => {
      if (sent === 512 * 1024) seen.push(await readdir(folder));
    });
    const written = await writeAtomically(folder, "clip.mp4", body.stream);
    expect(seen[0]).toEqual([expect.stringMatching(/^\.webencode-partial-[0-9a-f-]{36}$/)]);
    expect(written).toEqual({
      path: join(folder, "clip.mp4"),
      sizeBytes: MiB,
      checksum: `sha256:${body.digest()}`,
    });
    expect(await readdir(folder)).toEqual(["clip.mp4"]);
  });

  it("leaves nothing when the body fails or the caller aborts", async () => {
    let pushed = 0;
    const dying = new Readable({
      read() {
        if (++pushed <= 3) this.push(Buffer.alloc(64 * 1024, 1));
        else this.destroy(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }));
      },
    });
    expect(await writeAtomically(folder, "a.mp4", dying)).toMatchObject({
      _tag: "StorageFailure",
      reason: "aborted",
    });
    const controller = new AbortController();
    const body = generated(8 * MiB, async (sent) => {
      if (sent === MiB) controller.abort();
    });
    expect(await writeAtomically(folder, "b.mp4", body.stream, controller.signal)).toMatchObject({
      reason: "aborted",
    });
    expect(await readdir(folder)).toEqual([]);
  });
});

describe("writeAtomically when the disk fails", () => {
  const faults: Array<[FileOperation, string, string]> = [
    ["create", "EMFILE", "unavailable"],
    ["create", "EACCES", "access_denied"],
    ["write", "EIO", "unavailable"],
    ["write", "ENOSPC", "storage_full"],
    ["sync", "ENOSPC", "storage_full"],
    ["sync", "EIO", "unavailable"],
    ["close", "EDQUOT", "storage_full"],
    ["rename", "ENOSPC", "storage_full"],
    ["rename", "EROFS", "access_denied"],
  ];
  for (const [operation, errno, reason] of faults) {
    it(`${errno} at ${operation} answers ${reason} with a hint and the disk's error, and leaves nothing`, async () => {
      const failed = await writeAtomically(
        folder,
        "clip.mp4",
        generated(MiB).stream,
        undefined,
        failingAtomicFileSystem(operation, errno),
      );
      expect(failed).toMatchObject({ _tag: "StorageFailure", reason, cause: { code: errno } });
      if (!("hint" in failed)) return;
      expect(failed.hint.length).toBeGreaterThan(20);
      expect(await readdir(folder)).toEqual([]);
      // the next write, on a healthy disk, is stored as usual
      expect(await writeAtomically(folder, "next.mp4", generated(1000).stream)).toMatchObject({
        sizeBytes: 1000,
      });
    });
  }

  it("answers storage_full when the kernel refuses the write (/dev/full), and removes the partial file", async () => {
    const failed = await writeAtomically(
      folder,
      "clip.mp4",
      generated(MiB).stream,
      undefined,
      devFullAtomicFileSystem,
    );
    expect(failed).toMatchObject({ _tag: "StorageFailure", reason: "storage_full" });
    expect(await readdir(folder)).toEqual([]);
  });

  it("answers storage_full on a real full disk (a 1 MiB tmpfs, as root) and keeps the next small file", async (context) => {
    const run = promisify(execFile);
    const small = join(base, "small");
    await mkdir(small);
    const mounted = await run("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", small]).then(
      () => true,
      () => false,
    );
    if (!mounted) context.skip("mounting a tmpfs needs root");
    try {
      const storage = await createFsStorage({ root: small, signing_key: "k".repeat(32) });
      const full = await storage.put({ key: "uploads/big.mp4" }, generated(2 * MiB).stream);
      expect(full).toMatchObject({ _tag: "StorageFailure", reason: "storage_full" });
      expect(await readdir(join(small, "uploads"))).toEqual([]);
      const body = Buffer.alloc(100_000, 3);
      const fits = await storage.put({ key: "uploads/small.mp4" }, Readable.from([body]));
      expect(fits).toMatchObject({ _tag: "Stored", sizeBytes: 100_000 });
      expect((await readFile(join(small, "uploads", "small.mp4"))).equals(body)).toBe(true);
    } finally {
      await run("umount", [small]);
    }
  });
});
