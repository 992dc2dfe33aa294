import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadInstalledPlugins } from "../plugins/loadInstalledPlugins.ts";
import { StorageNotConfigured, startStorageProviders } from "./startStorageProviders.ts";

const secret = "s".repeat(48);

describe("startStorageProviders", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "we-storage-providers-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps job files in a storage-fs of their own, apart from the media folder users browse", async () => {
    const plugins = await loadInstalledPlugins({ dataDir: dir }, "0.1.0");
    const storage = await startStorageProviders(plugins, {
      mediaDir: join(dir, "media"),
      storageDir: join(dir, "storage"),
      jobStorage: "fs",
      secret,
    });
    try {
      const stored = await storage.jobs.put(
        { key: "outputs/a/a_final.mp4" },
        Readable.from([Buffer.from("x")]),
      );
      expect(stored).toMatchObject({ _tag: "Stored", sizeBytes: 1 });
      expect(await readFile(join(dir, "storage", "outputs/a/a_final.mp4"), "utf8")).toBe("x");
      expect(await storage.fs?.head({ key: "outputs/a/a_final.mp4" })).toMatchObject({ reason: "not_found" });
      expect(storage.jobsFs).toBe(storage.jobs);
      // a link signed for job storage is not a link to the media folder, and the reverse
      const link = await storage.jobs.signedUrl({
        ref: { key: "outputs/a/a_final.mp4" },
        method: "GET",
        expiresInSeconds: 60,
      });
      if (link._tag !== "SignedUrl") throw new Error(link.message);
      expect(storage.jobsFs?.verifySignedRequest({ method: "GET", url: link.url })).toEqual({
        key: "outputs/a/a_final.mp4",
      });
      expect(storage.fs?.verifySignedRequest({ method: "GET", url: link.url })).toMatchObject({
        reason: "access_denied",
      });
    } finally {
      await storage.close();
    }
  });

  it("routes sources by scheme, and refuses s3 job storage without storage-s3", async () => {
    const plugins = await loadInstalledPlugins({ dataDir: dir }, "0.1.0");
    const defaults = { mediaDir: join(dir, "media"), storageDir: join(dir, "storage"), secret };
    const storage = await startStorageProviders(plugins, { ...defaults, jobStorage: "fs" });
    try {
      expect(storage.forSource("fs://talk.mp4")).toBe(storage.fs);
      expect(storage.forSource("s3://bucket/talk.mp4")).toBeNull(); // storage-s3 is off by default
      expect(storage.forSource("https://example.com/talk.mp4")).toBeNull();
    } finally {
      await storage.close();
    }
    await expect(startStorageProviders(plugins, { ...defaults, jobStorage: "s3" })).rejects.toThrow(
      StorageNotConfigured,
    );
  });
});
