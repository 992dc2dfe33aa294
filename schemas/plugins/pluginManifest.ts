// A plugin's `plugin.toml`: who it is, which kernels and protocol it speaks, what it can do and the
// JSON Schema (a small subset) its configuration must match.
import { z } from "zod";

export const pluginTypes = ["auth", "storage", "encoder", "live", "publisher"] as const;
export type PluginType = (typeof pluginTypes)[number];

export const configValueTypes = ["object", "string", "integer", "number", "boolean", "array"] as const;

/** The JSON Schema keywords a config_schema may use; any other keyword is refused, never ignored. */
export interface ConfigSchema {
  type: (typeof configValueTypes)[number];
  description?: string | undefined;
  properties?: Record<string, ConfigSchema> | undefined;
  required?: string[] | undefined;
  items?: ConfigSchema | undefined;
  enum?: Array<string | number | boolean> | undefined;
  minimum?: number | undefined;
  maximum?: number | undefined;
  pattern?: string | undefined;
  default?: unknown;
}

const compiles = (pattern: string) => {
  try {
    new RegExp(pattern, "u");
    return true;
  } catch {
    return false;
  }
};

export const configSchemaSchema: z.ZodType<ConfigSchema> = z.lazy(() =>
  z
    .strictObject({
      type: z.enum(configValueTypes),
      description: z.string().optional(),
      properties: z.record(z.string(), configSchemaSchema).optional(),
      required: z.array(z.string()).optional(),
      items: configSchemaSchema.optional(),
      enum: z
        .array(z.union([z.string(), z.number(), z.boolean()]))
        .min(1)
        .optional(),
      minimum: z.number().optional(),
      maximum: z.number().optional(),
      pattern: z.string().refine(compiles, "not a valid regular expression").optional(),
      default: z.unknown().optional(),
    })
    .superRefine((schema, ctx) => {
      const only = (keyword: keyof ConfigSchema, types: readonly string[]) => {
        if (schema[keyword] !== undefined && !types.includes(schema.type))
          ctx.addIssue({
            code: "custom",
            path: [keyword],
            message: `applies to ${types.join(" or ")} values, not ${schema.type}`,
          });
      };
      only("properties", ["object"]);
      only("required", ["object"]);
      only("items", ["array"]);
      only("minimum", ["integer", "number"]);
      only("maximum", ["integer", "number"]);
      only("pattern", ["string"]);
      for (const [i, name] of (schema.required ?? []).entries()) {
        if (schema.properties?.[name] === undefined)
          ctx.addIssue({ code: "custom", path: ["required", i], message: `names no property "${name}"` });
      }
    }),
);

const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;

export const pluginManifestSchema = z.strictObject({
  /** Also the plugin's folder name and its `plugins.toml` table. */
  id: z
    .string()
    .regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, "lower-case letters, digits and single dashes, e.g. storage-fs"),
  type: z.enum(pluginTypes),
  version: z.string().regex(SEMVER, "a semantic version, e.g. 1.2.3"),
  /** The plugin protocol it speaks; the kernel refuses one it does not. */
  protocol_version: z.int().positive(),
  /** Kernel versions it supports, as a range: `>=0.1.0 <1.0.0`, alternatives joined by `||`. */
  kernel_versions: z.string().min(1),
  description: z.string().optional(),
  capabilities: z.array(z.string().min(1)).default([]),
  /** Off until `plugins.toml` enables it: a plugin that is of no use before it is configured (a bucket). */
  enabled_by_default: z.boolean().default(true),
  config_schema: configSchemaSchema
    .refine((s) => s.type === "object", 'must have type = "object"')
    .default({ type: "object" }),
});

export type PluginManifest = z.infer<typeof pluginManifestSchema>;
