import type { RemoteSourceOptions } from "../../plugins/sdk/sources/ssrfGuard.ts";
import type { PlatformConfig } from "../platform/platformConfig.ts";

/** What the API, the planner and the egress proxy of one process check remote sources against. */
export const remoteSourceOptions = (config: PlatformConfig): RemoteSourceOptions => ({
  allowPrivate: config.allowPrivateSources,
  allowHosts: config.allowSourceHosts,
  ...(config.sourceLookup === undefined ? {} : { lookup: config.sourceLookup }),
});
