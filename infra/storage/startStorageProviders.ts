// The storage providers of the loaded storage plugins, made once at start: storage-fs over the media
// folder (fs:// sources and uploads) with the platform's defaults, storage-s3 when enabled with a bucket,
// and the job storage where work files, chunks and outputs go (a private storage-fs over the storage
// folder, or storage-s3's bucket).
import { createHash } from "node:crypto";
import type { PluginRecord } from "../../plugins/sdk/loadPlugins.ts";
import type { StorageProvider } from "../../plugins/sdk/storageProvider.ts";
import { createFsStorage, type FsStorage } from "../../plugins/storage-fs/index.ts";
import { createS3Storage, type S3StorageConfig } from "../../plugins/storage-s3/index.ts";
import type { JobStorageKind } from "../platform/platformConfig.ts";

export interface StorageProviders {
  /** storage-fs over the media folder, which uploads without a plugin_id go to; null when disabled. */
  readonly fs: FsStorage | null;
  /** Every running provider by plugin id, in the order the plugins were found. */
  readonly byId: ReadonlyMap<string, StorageProvider>;
  /** Where work files, chunks and outputs go, under `work/<jobId>/…` and `outputs/<jobId>/…`. */
  readonly jobs: StorageProvider;
  /** The job storage when it is storage-fs: its signed links are served by the kernel's download route. */
  readonly jobsFs: FsStorage | null;
  /** The provider of a source URL's scheme (`fs://` → storage-fs, `s3://` → storage-s3), if it runs. */
  forSource(url: string): StorageProvider | null;
  close(): Promise<void>;
}

export interface StorageDefaults {
  /** storage-fs's root when its config names none. */
  readonly mediaDir: string;
  /** The job storage's root when it is storage-fs. */
  readonly storageDir: string;
  readonly jobStorage: JobStorageKind;
  /** The platform secret; storage-fs's signing keys are derived from it when its config names none. */
  readonly secret: string;
}

/** 64 hex characters, distinct from every other key derived from the same secret. */
export const fsSigningKeyOf = (secret: string, purpose: "media" | "jobs" = "media"): string =>
  createHash("sha256")
    .update(`${purpose === "media" ? "storage-fs" : "storage-fs-jobs"}:${secret}`)
    .digest("hex");

export class StorageNotConfigured extends Error {
  override name = "StorageNotConfigured";
}

export async function startStorageProviders(
  plugins: readonly PluginRecord[],
  defaults: StorageDefaults,
): Promise<StorageProviders> {
  const byId = new Map<string, StorageProvider>();
  let fs: FsStorage | null = null;
  let publicUrl: string | undefined;
  for (const plugin of plugins) {
    if (plugin.state !== "loaded" || plugin.type !== "storage") continue;
    if (plugin.id === "storage-fs") {
      const config = plugin.config as { root?: string; signing_key?: string; public_url?: string };
      publicUrl = config.public_url;
      fs = await createFsStorage({
        root: config.root ?? defaults.mediaDir,
        signing_key: config.signing_key ?? fsSigningKeyOf(defaults.secret),
        ...(publicUrl === undefined ? {} : { public_url: publicUrl }),
      });
      byId.set(plugin.id, fs);
    } else if (plugin.id === "storage-s3") {
      byId.set(plugin.id, createS3Storage(plugin.config as unknown as S3StorageConfig));
    }
  }
  let jobs: StorageProvider;
  let jobsFs: FsStorage | null = null;
  if (defaults.jobStorage === "s3") {
    const s3 = byId.get("storage-s3");
    if (!s3) {
      await Promise.all([...byId.values()].map((provider) => provider.close()));
      throw new StorageNotConfigured(
        "job storage s3 needs the storage-s3 plugin: enable it in plugins.toml with [storage-s3] enabled = true and its bucket in [storage-s3.config]",
      );
    }
    jobs = s3;
  } else {
    jobsFs = await createFsStorage({
      root: defaults.storageDir,
      signing_key: fsSigningKeyOf(defaults.secret, "jobs"),
      ...(publicUrl === undefined ? {} : { public_url: publicUrl }),
    });
    jobs = jobsFs;
  }
  return {
    fs,
    byId,
    jobs,
    jobsFs,
    forSource(url) {
      if (/^fs:\/\//i.test(url)) return byId.get("storage-fs") ?? null;
      if (/^s3:\/\//i.test(url)) return byId.get("storage-s3") ?? null;
      return null;
    },
    async close() {
      await Promise.all([...byId.values(), ...(jobsFs ? [jobsFs] : [])].map((provider) => provider.close()));
    },
  };
}
