export {
  createMediamtxEngine,
  type MediamtxEngine,
  type MediamtxEngineOptions,
} from "./createMediamtxEngine.ts";
export {
  DEFAULT_AUTH_HOOK_PORT,
  type MediamtxPlatformDefaults,
  type MediamtxPluginConfig,
  mediamtxPluginConfig,
} from "./mediamtxPluginConfig.ts";
