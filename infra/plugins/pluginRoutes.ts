// GET /v1/plugins, for admins: the plugins found at start, their state and capabilities.
import { Hono } from "hono";
import type { PluginRecord } from "../../plugins/sdk/loadPlugins.ts";
import type { ListPluginsResponse } from "../../schemas/api/pluginResponses.ts";
import type { HttpEnv } from "../http/httpEnv.ts";
import { requireRole } from "../http/requireRole.ts";

export function pluginRoutes(plugins: readonly PluginRecord[]) {
  const body: ListPluginsResponse = {
    plugins: plugins.map((p) => ({
      id: p.id,
      type: p.type ?? null,
      version: p.version ?? null,
      protocol_version: p.protocolVersion ?? null,
      state: p.state,
      capabilities: [...(p.capabilities ?? [])],
      error: p.state === "failed" ? p.error : null,
    })),
  };
  return new Hono<HttpEnv>().get("/v1/plugins", requireRole("admin"), (c) => c.json(body));
}
