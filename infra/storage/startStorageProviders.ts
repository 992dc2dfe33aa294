// The storage providers of the loaded storage plugins, made once at start: storage-fs over the media
// folder (fs:// sources and uploads) with the platform's defaults, storage-s3 when enabled with a bucket.
import { createHash } from "node:crypto";
import type { PluginRecord } from "../../plugins/sdk/loadPlugins.ts";
import type { StorageProvider } from "../../plugins/sdk/storageProvider.ts";
import { createFsStorage, type FsStorage } from "../../plugins/storage-fs/index.ts";
import { createS3Storage, type S3StorageConfig } from "../../plugins/storage-s3/index.ts";

export interface StorageProviders {
  /** storage-fs, which uploads without a plugin_id and signed kernel links go to; null when disabled. */
  readonly fs: FsStorage | null;
  /** Every running provider by plugin id, in the order the plugins were found. */
  readonly byId: ReadonlyMap<string, StorageProvider>;
  close(): Promise<void>;
}

export interface StorageDefaults {
  /** storage-fs's root when its config names none. */
  readonly mediaDir: string;
  /** The platform secret; storage-fs's signing key is derived from it when its config names none. */
  readonly secret: string;
}

/** 64 hex characters, distinct from every other key derived from the same secret. */
export const fsSigningKeyOf = (secret: string): string =>
  createHash("sha256").update(`storage-fs:${secret}`).digest("hex");

export async function startStorageProviders(
  plugins: readonly PluginRecord[],
  defaults: StorageDefaults,
): Promise<StorageProviders> {
  const byId = new Map<string, StorageProvider>();
  let fs: FsStorage | null = null;
  for (const plugin of plugins) {
    if (plugin.state !== "loaded" || plugin.type !== "storage") continue;
    if (plugin.id === "storage-fs") {
      const config = plugin.config as { root?: string; signing_key?: string; public_url?: string };
      fs = await createFsStorage({
        root: config.root ?? defaults.mediaDir,
        signing_key: config.signing_key ?? fsSigningKeyOf(defaults.secret),
        ...(config.public_url === undefined ? {} : { public_url: config.public_url }),
      });
      byId.set(plugin.id, fs);
    } else if (plugin.id === "storage-s3") {
      byId.set(plugin.id, createS3Storage(plugin.config as unknown as S3StorageConfig));
    }
  }
  return {
    fs,
    byId,
    async close() {
      await Promise.all([...byId.values()].map((provider) => provider.close()));
    },
  };
}
