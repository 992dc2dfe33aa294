// Checks a plugin's configuration against the config_schema of its manifest and fills in defaults.
// Every problem names its field, so that a refusal can say exactly what to fix.
import type { ConfigSchema } from "../../schemas/plugins/pluginManifest.ts";

export interface ConfigIssue {
  /** Dotted path from the config's root, with [i] for array items; "" for the root itself. */
  readonly field: string;
  readonly message: string;
}

export type ConfigValidation =
  | { readonly _tag: "ValidConfig"; readonly config: Record<string, unknown> }
  | { readonly _tag: "InvalidConfig"; readonly issues: readonly ConfigIssue[] };

const typeOf = (value: unknown) =>
  Array.isArray(value)
    ? "array"
    : value === null
      ? "null"
      : Number.isInteger(value)
        ? "integer"
        : value instanceof Date
          ? "date"
          : typeof value === "object"
            ? "table"
            : typeof value;

function check(schema: ConfigSchema, value: unknown, field: string, issues: ConfigIssue[]): unknown {
  const fail = (message: string) => {
    issues.push({ field, message });
    return value;
  };
  const found = typeOf(value);
  const fits =
    schema.type === found ||
    (schema.type === "number" && (found === "number" || found === "integer")) ||
    (schema.type === "object" &&
      found === "table" &&
      [Object.prototype, null].includes(Object.getPrototypeOf(value)));
  const expected = schema.type === "object" ? "table" : schema.type;
  if (!fits) return fail(`must be ${/^[aeiou]/.test(expected) ? "an" : "a"} ${expected}, got ${found}`);

  if (schema.enum !== undefined && !schema.enum.includes(value as string | number | boolean))
    return fail(`must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(", ")}`);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return fail("must be a finite number");
    if (schema.minimum !== undefined && value < schema.minimum)
      return fail(`must be at least ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum)
      return fail(`must be at most ${schema.maximum}`);
  }
  if (
    typeof value === "string" &&
    schema.pattern !== undefined &&
    !new RegExp(schema.pattern, "u").test(value)
  )
    return fail(`must match /${schema.pattern}/`);
  if (Array.isArray(value) && schema.items !== undefined) {
    const items = schema.items;
    return value.map((item, i) => check(items, item, `${field}[${i}]`, issues));
  }
  if (schema.type !== "object") return value;

  const properties = schema.properties ?? {};
  const table = value as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  const at = (name: string) => (field === "" ? name : `${field}.${name}`);
  for (const [name, given] of Object.entries(table)) {
    const property = properties[name];
    if (property === undefined) {
      const known = Object.keys(properties);
      issues.push({
        field: at(name),
        message: `is not a setting of this plugin (${known.length ? `it has ${known.join(", ")}` : "it has none"})`,
      });
    } else result[name] = check(property, given, at(name), issues);
  }
  for (const [name, property] of Object.entries(properties)) {
    if (name in table) continue;
    if (property.default !== undefined) result[name] = structuredClone(property.default);
    else if (schema.required?.includes(name)) issues.push({ field: at(name), message: "is required" });
  }
  return result;
}

/** The problems of one value against its schema, named from `field`. */
export function configIssues(schema: ConfigSchema, value: unknown, field: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  check(schema, value, field, issues);
  return issues;
}

export function validatePluginConfig(schema: ConfigSchema, config: unknown): ConfigValidation {
  const issues: ConfigIssue[] = [];
  const checked = check(schema, config, "", issues);
  return issues.length > 0
    ? { _tag: "InvalidConfig", issues }
    : { _tag: "ValidConfig", config: checked as Record<string, unknown> };
}
