// The origins of the storage endpoints this installation is configured with (storage-s3's `endpoint`),
// which the egress proxy lets ffmpeg reach for presigned s3:// sources even on a private network.
import type { PluginRecord } from "../../plugins/sdk/loadPlugins.ts";

export const storageEndpointOrigins = (plugins: readonly PluginRecord[]): string[] =>
  plugins.flatMap((plugin) => {
    if (plugin.state !== "loaded" || plugin.id !== "storage-s3") return [];
    const endpoint = (plugin.config as { endpoint?: unknown }).endpoint;
    if (typeof endpoint !== "string") return [];
    try {
      return [new URL(endpoint).origin];
    } catch {
      return [];
    }
  });
