// The plugins of this installation at start: the built-in plugin folders, configured by
// `plugins.toml` in the data directory. A process refuses to start without a plugin it runs on.
import { join } from "node:path";
import { builtInPluginsDir, loadPlugins, type PluginRecord } from "../../plugins/sdk/loadPlugins.ts";
import type { PlatformConfig } from "../platform/platformConfig.ts";

export const pluginsConfigFile = (config: Pick<PlatformConfig, "dataDir">) =>
  join(config.dataDir, "plugins.toml");

export async function loadInstalledPlugins(
  config: Pick<PlatformConfig, "dataDir" | "pluginsDir">,
  kernelVersion: string,
): Promise<readonly PluginRecord[]> {
  const loaded = await loadPlugins({
    pluginsDir: config.pluginsDir ?? builtInPluginsDir,
    configFile: pluginsConfigFile(config),
    kernelVersion,
  });
  if (loaded._tag === "PluginsRefused") throw new Error(`${loaded.error.code} ${loaded.error.message}`);
  return loaded.plugins;
}

/** The validated config of a plugin this process cannot run without. */
export function requirePlugin(plugins: readonly PluginRecord[], id: string): Record<string, unknown> {
  const plugin = plugins.find((p) => p.id === id);
  if (plugin === undefined)
    throw new Error(`WE-PLG-001 the ${id} plugin is not installed: its plugin.toml is missing`);
  if (plugin.state === "failed") throw new Error(`${plugin.error.code} ${plugin.error.message}`);
  if (plugin.state === "disabled")
    throw new Error(`WE-PLG-002 the ${id} plugin is disabled in plugins.toml, and this process runs on it`);
  return plugin.config;
}
