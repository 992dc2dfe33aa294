import { mkdir, mkdtemp, readdir, readFile, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { startFsSignedUrlServer } from "../../test/support/fsSignedUrlServer.ts";
import { describeStorageContract, failingBody } from "../sdk/storageContract.ts";
import { createFsStorage, type FsStorage } from "./index.ts";

describeStorageContract("storage-fs", async () => {
  const dir = await mkdtemp(join(tmpdir(), "webencode-storage-fs-"));
  let storage: FsStorage | undefined;
  const server = await startFsSignedUrlServer(() => storage!);
  storage = await createFsStorage({
    root: join(dir, "root"),
    signing_key: "contract-signing-key-0123456789abcdef",
    public_url: server.url,
  });
  return {
    provider: storage,
    urlPrefix: "fs://",
    async dispose() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe("storage-fs: the root holds", () => {
  let dir: string;
  let root: string;
  let storage: FsStorage;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "webencode-storage-fs-"));
    root = join(dir, "root");
    await mkdir(join(dir, "outside"), { recursive: true });
    await writeFile(join(dir, "outside", "secret.txt"), "secret");
    storage = await createFsStorage({ root, signing_key: "k".repeat(32) });
  });
  afterEach(async () => {
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  });

  const body = (text: string) => Readable.from([Buffer.from(text)]);

  it("refuses to read, list or browse through a symlink that points outside the root", async () => {
    await mkdir(join(root, "media"), { recursive: true });
    await symlink(join(dir, "outside", "secret.txt"), join(root, "media", "file-link.txt"));
    await symlink(join(dir, "outside"), join(root, "folder-link"));

    expect(await storage.get({ key: "media/file-link.txt" })).toMatchObject({ reason: "access_denied" });
    expect(await storage.head({ key: "folder-link/secret.txt" })).toMatchObject({ reason: "access_denied" });
    expect(await storage.browse({ path: "folder-link" })).toMatchObject({ reason: "access_denied" });
    const listed = await storage.list({ prefix: "" });
    expect(listed).toMatchObject({ _tag: "ListPage", objects: [] });
    const browsed = await storage.browse({ path: "media", showHidden: true });
    expect(browsed).toMatchObject({ _tag: "BrowseListing", entries: [] });
  });

  it("refuses to write through a symlinked folder that points outside, and writes nothing there", async () => {
    await symlink(join(dir, "outside"), join(root, "folder-link"));
    expect(
      await storage.put({ key: "folder-link/secret.txt", bucket: "" }, body("overwritten")),
    ).toMatchObject({
      reason: "access_denied",
    });
    expect(await storage.put({ key: "folder-link/new/x.txt" }, body("x"))).toMatchObject({
      reason: "access_denied",
    });
    expect(await storage.delete({ key: "folder-link/secret.txt" })).toMatchObject({
      reason: "access_denied",
    });
    expect(await readFile(join(dir, "outside", "secret.txt"), "utf8")).toBe("secret");
    expect(await readdir(join(dir, "outside"))).toEqual(["secret.txt"]);
  });

  it("serves a symlink that stays inside the root, and deletes the link rather than its target", async () => {
    await storage.put({ key: "real/clip.mp4" }, body("clip"));
    await symlink(join(root, "real", "clip.mp4"), join(root, "alias.mp4"));
    const got = await storage.get({ key: "alias.mp4" });
    expect(got).toMatchObject({ _tag: "ObjectBody", metadata: { sizeBytes: 4 } });
    if (got._tag === "ObjectBody") got.body.destroy();
    expect(await storage.delete({ key: "alias.mp4" })).toEqual({ _tag: "Deleted" });
    expect(await readFile(join(root, "real", "clip.mp4"), "utf8")).toBe("clip");
  });

  it("hands a reader the real path of a file inside the root only: no link out, no folder, no pipe", async () => {
    await mkdir(join(root, "media", "folder"), { recursive: true });
    await writeFile(join(root, "media", "clip.mp4"), "clip");
    await symlink(join(root, "media", "clip.mp4"), join(root, "media", "inside-link.mp4"));
    await symlink(join(dir, "outside", "secret.txt"), join(root, "media", "outside-link.mp4"));
    await symlink(join(root, "media", "loop-a"), join(root, "media", "loop-b"));
    await symlink(join(root, "media", "loop-b"), join(root, "media", "loop-a"));
    const location = (key: string) => storage.readableLocation({ key }, { expiresInSeconds: 60 });
    expect(await location("media/inside-link.mp4")).toEqual({
      _tag: "LocalFile",
      path: join(await realpath(root), "media", "clip.mp4"),
    });
    expect(await location("media/outside-link.mp4")).toMatchObject({ reason: "access_denied" });
    expect(await location("media/loop-a")).toMatchObject({ reason: "access_denied" });
    expect(await location("media/folder")).toMatchObject({ reason: "not_found" });
    expect(await location("media/none.mp4")).toMatchObject({ reason: "not_found" });
  });

  it("keeps a file being written out of sight under a reserved name, and refuses keys with that name", async () => {
    const gate = new PassThrough();
    const writing = storage.put({ key: "up/slow.mp4" }, gate);
    gate.write(Buffer.alloc(1000));
    await vi.waitFor(async () => expect((await readdir(join(root, "up"))).length).toBe(1));
    expect((await readdir(join(root, "up")))[0]).toMatch(/^\.webencode-partial-/);
    expect(await storage.list({ prefix: "" })).toMatchObject({ objects: [] });
    expect(await storage.browse({ path: "up", showHidden: true })).toMatchObject({ entries: [] });
    expect(await storage.head({ key: "up/slow.mp4" })).toMatchObject({ reason: "not_found" });
    gate.end(Buffer.alloc(24));
    expect(await writing).toMatchObject({ _tag: "Stored", sizeBytes: 1024 });
    expect(await readdir(join(root, "up"))).toEqual(["slow.mp4"]);
    expect(await storage.put({ key: "up/.webencode-partial-x" }, body("x"))).toMatchObject({
      reason: "invalid_key",
    });
  });

  it("removes its temporary file when the body fails or the write is aborted", async () => {
    await storage.put({ key: "up/kept.mp4" }, body("kept"));
    expect(await storage.put({ key: "up/broken.mp4" }, failingBody(300_000))).toMatchObject({
      reason: "aborted",
    });
    const controller = new AbortController();
    const gate = new PassThrough();
    const writing = storage.put({ key: "up/kept.mp4" }, gate, { signal: controller.signal });
    gate.write(Buffer.alloc(1000));
    await vi.waitFor(async () => expect((await readdir(join(root, "up"))).length).toBe(2));
    controller.abort();
    expect(await writing).toMatchObject({ reason: "aborted" });
    expect(await readdir(join(root, "up"))).toEqual(["kept.mp4"]);
    expect(await readFile(join(root, "up", "kept.mp4"), "utf8")).toBe("kept");
  });

  it("lists keys in S3's byte order across pages, a name before its sibling folder when it sorts before '/'", async () => {
    for (const key of ["b/c.mp4", "b.txt", "b-d.mp4", "ba.mp4"]) await storage.put({ key }, body("x"));
    const first = await storage.list({ maxKeys: 2 });
    if (first._tag !== "ListPage") throw new Error("not listed");
    const second = await storage.list({ continuationToken: first.nextContinuationToken! });
    expect(
      [...first.objects, ...(second._tag === "ListPage" ? second.objects : [])].map((o) => o.key),
    ).toEqual(["b-d.mp4", "b.txt", "b/c.mp4", "ba.mp4"]);
  });

  it("refuses a key whose folder is a file, a bucket, and a link signed with another key", async () => {
    await storage.put({ key: "file.mp4" }, body("x"));
    expect(await storage.put({ key: "file.mp4/inner.mp4" }, body("x"))).toMatchObject({
      reason: "invalid_key",
    });
    expect(await storage.get({ bucket: "media", key: "file.mp4" })).toMatchObject({ reason: "invalid_key" });
    const other = await createFsStorage({ root, signing_key: "o".repeat(32) });
    const signed = await other.signedUrl({ ref: { key: "file.mp4" }, method: "GET", expiresInSeconds: 60 });
    if (signed._tag !== "SignedUrl") throw new Error("not signed");
    expect(signed.url.startsWith("/v1/files/download?")).toBe(true);
    expect(storage.verifySignedRequest({ method: "GET", url: signed.url })).toMatchObject({
      reason: "access_denied",
    });
    expect(other.verifySignedRequest({ method: "GET", url: signed.url })).toEqual({ key: "file.mp4" });
    expect(other.verifySignedRequest({ method: "PUT", url: signed.url })).toMatchObject({
      reason: "access_denied",
    });
  });
});
