// The live-mediamtx settings of plugins.toml (checked against plugin.toml's config_schema) as the
// engine's options and the ingest it reports: MediaMTX's own ports, with the platform's public host.
import type { IngestConfig } from "../sdk/liveEngine.ts";
import type { MediamtxEngineOptions } from "./createMediamtxEngine.ts";

export interface MediamtxPlatformDefaults {
  /** Where the platform listens: the auth hook listens there too. */
  readonly listenHost: string;
  /** The host name in the publish URLs handed out. */
  readonly publicHost: string;
}

export interface MediamtxPluginConfig {
  readonly engine: Pick<MediamtxEngineOptions, "apiUrl" | "authHookPort" | "authHookHost" | "readHost">;
  readonly ingest: IngestConfig;
}

export const DEFAULT_AUTH_HOOK_PORT = 8600;

export function mediamtxPluginConfig(
  config: Record<string, unknown>,
  defaults: MediamtxPlatformDefaults,
): MediamtxPluginConfig {
  const apiUrl = String(config.api_url);
  if (!URL.canParse(apiUrl)) throw new Error(`api_url: ${JSON.stringify(apiUrl)} is not a URL`);
  const integer = (value: unknown, fallback: number) => (typeof value === "number" ? value : fallback);
  const srtPort = integer(config.srt_port, 8890);
  return {
    engine: {
      apiUrl,
      authHookPort: integer(config.auth_hook_port, DEFAULT_AUTH_HOOK_PORT),
      authHookHost: defaults.listenHost,
      readHost: typeof config.read_host === "string" ? config.read_host : new URL(apiUrl).hostname,
    },
    ingest: {
      rtmpPort: integer(config.rtmp_port, 1935),
      srtPort: srtPort === 0 ? null : srtPort,
      publicHost: defaults.publicHost,
    },
  };
}
