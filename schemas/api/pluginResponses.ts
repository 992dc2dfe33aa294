// GET /v1/plugins: every installed plugin, whether it runs, and why not when it does not.
import { z } from "zod";
import { errorCodeSchema } from "../errors.ts";
import { pluginTypes } from "../plugins/pluginManifest.ts";

export const pluginSummarySchema = z.object({
  id: z.string(),
  /** Null when the manifest could not be read far enough to say. */
  type: z.enum(pluginTypes).nullable(),
  version: z.string().nullable(),
  protocol_version: z.int().nullable(),
  state: z.enum(["loaded", "disabled", "failed"]),
  capabilities: z.array(z.string()),
  error: z.object({ code: errorCodeSchema, message: z.string() }).nullable(),
});

export const listPluginsResponseSchema = z.object({ plugins: z.array(pluginSummarySchema) });
export type ListPluginsResponse = z.infer<typeof listPluginsResponseSchema>;
