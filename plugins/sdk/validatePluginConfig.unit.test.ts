import { describe, expect, it } from "vitest";
import type { ConfigSchema } from "../../schemas/plugins/pluginManifest.ts";
import { validatePluginConfig } from "./validatePluginConfig.ts";

const schema: ConfigSchema = {
  type: "object",
  required: ["bucket"],
  properties: {
    bucket: { type: "string", pattern: "^[a-z0-9.-]{3,63}$" },
    region: { type: "string", default: "us-east-1" },
    part_size_mib: { type: "integer", minimum: 5, maximum: 5120, default: 16 },
    ratio: { type: "number", minimum: 0, maximum: 1 },
    path_style: { type: "boolean" },
    class: { type: "string", enum: ["STANDARD", "GLACIER"] },
    hosts: { type: "array", items: { type: "string", pattern: "^[a-z.]+$" } },
    retry: { type: "object", properties: { attempts: { type: "integer", minimum: 1 } } },
  },
};

describe("validatePluginConfig", () => {
  it("accepts a config that matches and fills in defaults", () => {
    expect(
      validatePluginConfig(schema, { bucket: "media", ratio: 1, hosts: ["a.b"], retry: { attempts: 3 } }),
    ).toEqual({
      _tag: "ValidConfig",
      config: {
        bucket: "media",
        region: "us-east-1",
        part_size_mib: 16,
        ratio: 1,
        hosts: ["a.b"],
        retry: { attempts: 3 },
      },
    });
  });

  it("names the field of every problem", () => {
    const result = validatePluginConfig(schema, {
      part_size_mib: 2.5,
      ratio: 3,
      path_style: "yes",
      class: "COLD",
      hosts: ["ok", "NO"],
      retry: { attempts: 0, backoff: 1 },
      regoin: "eu",
    });
    expect(result).toEqual({
      _tag: "InvalidConfig",
      issues: [
        { field: "part_size_mib", message: "must be an integer, got number" },
        { field: "ratio", message: "must be at most 1" },
        { field: "path_style", message: "must be a boolean, got string" },
        { field: "class", message: 'must be one of "STANDARD", "GLACIER"' },
        { field: "hosts[1]", message: "must match /^[a-z.]+$/" },
        { field: "retry.attempts", message: "must be at least 1" },
        { field: "retry.backoff", message: "is not a setting of this plugin (it has attempts)" },
        {
          field: "regoin",
          message: expect.stringMatching(/^is not a setting of this plugin \(it has bucket, region, /),
        },
        { field: "bucket", message: "is required" },
      ],
    });
  });

  it("refuses a root that is not a table, and non-finite numbers", () => {
    expect(validatePluginConfig(schema, ["bucket"])).toMatchObject({
      issues: [{ field: "", message: "must be a table, got array" }],
    });
    expect(validatePluginConfig(schema, { bucket: "media", ratio: Number.NaN })).toMatchObject({
      issues: [{ field: "ratio", message: "must be a finite number" }],
    });
  });

  it("does not share a default between configs", () => {
    const listed: ConfigSchema = { type: "object", properties: { tags: { type: "array", default: ["a"] } } };
    const first = validatePluginConfig(listed, {});
    if (first._tag !== "ValidConfig") throw new Error("invalid");
    (first.config.tags as string[]).push("b");
    expect(validatePluginConfig(listed, {})).toEqual({ _tag: "ValidConfig", config: { tags: ["a"] } });
  });
});
