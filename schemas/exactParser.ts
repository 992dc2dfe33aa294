// A faster safeParse for schemas read on hot paths (every event of a rebuild is checked against its
// schema), for values as JSON.parse makes them (no symbol keys, getters or non-enumerable properties).
// Before zod runs, a checker compiled once from the schema's definition looks at the value in place:
// when it can tell that zod would accept the value and return an equal copy of it, the value itself is
// the result. Anything it cannot tell for sure (a rejected value, unknown keys zod would strip,
// refinements, transforms, schema kinds it does not know) goes to zod, which stays the authority and
// the source of every issue message. So the checker may send zod more than it needs to, never less.
import type { z } from "zod";
import { util } from "zod/v4/core";

type Check = (value: unknown) => boolean;

/** What the checker needs of zod's internal definitions (zod 4). */
interface Def {
  type: string;
  checks?: { _zod: { def: CheckDef } }[];
  check?: string;
  format?: string;
  pattern?: RegExp;
  shape?: Record<string, Schema>;
  catchall?: Schema;
  element?: Schema;
  innerType?: Schema;
  options?: Schema[];
  discriminator?: string;
  values?: unknown[];
  entries?: Record<string, unknown>;
  keyType?: Schema;
  valueType?: Schema;
}

interface CheckDef {
  check: string;
  format?: string;
  pattern?: RegExp;
  minimum?: number;
  maximum?: number;
  length?: number;
  value?: number;
  inclusive?: boolean;
}

interface Schema {
  _zod: { def: Def };
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== "object" || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
};

/** Formats that are a pattern and nothing else in zod 4. */
const PATTERN_FORMATS = new Set(["uuid", "guid", "datetime", "date", "time", "regex"]);

const hasLength = (value: unknown): value is { length: number } =>
  typeof value === "string" || Array.isArray(value);

/** One zod check (a refinement) as a predicate, or null when the checker does not know it. */
function compileCheck(def: CheckDef): Check | null {
  switch (def.check) {
    case "min_length":
      return (v) => hasLength(v) && v.length >= def.minimum!;
    case "max_length":
      return (v) => hasLength(v) && v.length <= def.maximum!;
    case "length_equals":
      return (v) => hasLength(v) && v.length === def.length!;
    case "string_format":
      return def.pattern && PATTERN_FORMATS.has(def.format!) && !def.pattern.global && !def.pattern.sticky
        ? (v) => typeof v === "string" && def.pattern!.test(v)
        : null;
    case "number_format":
      return def.format === "safeint" ? (v) => Number.isSafeInteger(v) : null;
    case "greater_than":
      return (v) => typeof v === "number" && (def.inclusive ? v >= def.value! : v > def.value!);
    case "less_than":
      return (v) => typeof v === "number" && (def.inclusive ? v <= def.value! : v < def.value!);
    default:
      return null;
  }
}

function withChecks(def: Def, base: Check): Check | null {
  const checks: Check[] = [];
  // a format schema (z.uuid(), z.iso.datetime()) is itself a check
  if (def.check) {
    const own = compileCheck(def as unknown as CheckDef);
    if (!own) return null;
    checks.push(own);
  }
  for (const check of def.checks ?? []) {
    const compiled = compileCheck(check._zod.def);
    if (!compiled) return null;
    checks.push(compiled);
  }
  if (checks.length === 0) return base;
  return (v) => {
    if (!base(v)) return false;
    for (const check of checks) if (!check(v)) return false;
    return true;
  };
}

/** A checker for `schema`, or null when some part of it is beyond what the checker knows. */
function compile(schema: Schema): Check | null {
  const def = schema._zod.def;
  switch (def.type) {
    case "string":
      return withChecks(def, (v) => typeof v === "string");
    case "number":
      return withChecks(def, (v) => typeof v === "number" && Number.isFinite(v));
    case "boolean":
      return withChecks(def, (v) => typeof v === "boolean");
    case "unknown":
    case "any":
      return def.checks?.length ? null : () => true;
    case "literal": {
      const values = def.values!;
      return withChecks(def, (v) => values.includes(v));
    }
    case "enum": {
      // string enums only: a numeric TypeScript enum's entries hold reverse mappings too
      const values = Object.values(def.entries!);
      if (values.some((value) => typeof value !== "string")) return null;
      return withChecks(def, (v) => values.includes(v));
    }
    case "optional": {
      // an inner schema beyond the checker (a refined object): absent is still exact, present goes to zod
      const inner = compile(def.innerType!) ?? (() => false);
      return withChecks(def, (v) => v === undefined || inner(v));
    }
    case "nullable": {
      const inner = compile(def.innerType!);
      return inner && withChecks(def, (v) => v === null || inner(v));
    }
    case "array": {
      const element = compile(def.element!);
      return (
        element &&
        withChecks(def, (v) => {
          if (!Array.isArray(v)) return false;
          for (const item of v) if (!element(item)) return false;
          return true;
        })
      );
    }
    case "record": {
      // string keys without checks; values checked in place
      if (def.keyType!._zod.def.type !== "string" || def.keyType!._zod.def.checks?.length) return null;
      const value = compile(def.valueType!);
      return (
        value &&
        withChecks(def, (v) => {
          // zod's own test for what a record accepts, a plain prototype besides; zod leaves out an
          // own "__proto__" key (JSON.parse makes one), so its copy would differ
          if (!util.isPlainObject(v) || !isPlainObject(v) || Object.hasOwn(v, "__proto__")) return false;
          for (const key in v) if (!value(v[key])) return false;
          return true;
        })
      );
    }
    case "object":
      return compileObject(def);
    case "union":
      return compileUnion(def);
    default:
      return null;
  }
}

function compileObject(def: Def): Check | null {
  if (def.checks?.length) return null; // refinements of the whole object: zod's to run
  // strict objects refuse unknown keys; plain ones strip them, which makes zod's copy differ
  const catchall = def.catchall?._zod.def.type;
  if (catchall !== undefined && catchall !== "never") return null;
  const fields: [string, Check, boolean][] = [];
  for (const [key, field] of Object.entries(def.shape!)) {
    const check = compile(field);
    if (!check) return null;
    fields.push([key, check, field._zod.def.type === "optional"]);
  }
  return (v) => {
    if (!isPlainObject(v)) return false;
    let present = 0;
    for (const [key, check, optional] of fields) {
      if (Object.hasOwn(v, key)) {
        present++;
        if (!check(v[key])) return false;
      } else if (!optional) return false;
    }
    // any other key: refused (strict) or stripped (plain); either way zod decides
    let keys = 0;
    for (const key in v) if (Object.hasOwn(v, key)) keys++;
    return keys === present;
  };
}

function compileUnion(def: Def): Check | null {
  if (def.checks?.length) return null;
  const options = def.options!;
  if (def.discriminator) {
    // zod routes by the discriminator's literal value to exactly one option; an option the checker
    // cannot compile sends its values to zod
    const key = def.discriminator;
    const routes = new Map<unknown, Check | null>();
    for (const option of options) {
      const field = option._zod.def.shape?.[key]?._zod.def;
      if (option._zod.def.type !== "object" || field?.type !== "literal") return null;
      const check = compile(option);
      for (const value of field.values!) routes.set(value, check);
    }
    return (v) => {
      if (!isPlainObject(v)) return false;
      const check = routes.get(v[key]);
      return check ? check(v) : false;
    };
  }
  // zod returns the first option that accepts; all must be exact for any answer to be exact
  const checks = options.map(compile);
  if (checks.some((c) => c === null)) return null;
  return (v) => checks.some((check) => check!(v));
}

export type ParseResult<T> = { success: true; data: T } | { success: false; error: z.ZodError };

/**
 * `schema.safeParse`, answered without zod when the value can be taken as it is: the same result,
 * except that the data is the value itself rather than zod's equal copy.
 */
export function exactParser<S extends z.ZodType>(schema: S): (value: unknown) => ParseResult<z.output<S>> {
  const check = compile(schema as unknown as Schema);
  if (!check) return (value) => schema.safeParse(value) as ParseResult<z.output<S>>;
  return (value) =>
    check(value)
      ? { success: true, data: value as z.output<S> }
      : (schema.safeParse(value) as ParseResult<z.output<S>>);
}

/** For tests: whether the checker could be compiled at all. */
export const isExactlyCheckable = (schema: z.ZodType) => compile(schema as unknown as Schema) !== null;
