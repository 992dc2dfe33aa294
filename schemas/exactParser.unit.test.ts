import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { generateJobHistories } from "../test/support/jobHistories.ts";
import { eventMetadataSchema } from "./events/eventMetadata.ts";
import { jobEventSchema } from "./events/jobEvents.ts";
import { exactParser, isExactlyCheckable } from "./exactParser.ts";

const stored = generateJobHistories(300, 7).flatMap((h) => h.events);
const events = stored.map((e) => ({ type: e.type, data: e.data }));
const metadata = stored.map((e) => e.metadata);

/** The exact parser must answer exactly as zod does: success or not, and the same data. */
function sameAsZod<S extends z.ZodType>(schema: S, parse: (v: unknown) => unknown, value: unknown) {
  const ours = parse(value) as { success: boolean; data?: unknown; error?: z.ZodError };
  const zods = schema.safeParse(value);
  expect(ours.success).toBe(zods.success);
  if (zods.success) expect(ours.data).toEqual(zods.data);
  else expect(ours.error?.issues).toEqual(zods.error.issues);
}

// Random damage to a valid value at a random place: what a corrupted or hand-edited event looks like.
const mutation = fc.oneof(
  fc.constant({ op: "delete" as const }),
  fc.record({ op: fc.constant("add" as const), key: fc.string(), value: fc.jsonValue() }),
  fc.record({ op: fc.constant("replace" as const), value: fc.jsonValue() }),
  fc.record({
    op: fc.constant("replace" as const),
    value: fc.constantFrom(
      0,
      -1,
      1.5,
      2 ** 60,
      "",
      " ",
      "not-a-uuid",
      null,
      [],
      {},
      true,
      "2026-13-01T00:00:00Z",
    ),
  }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function damage(value: unknown, path: number[], change: Mutation): unknown {
  const copy = structuredClone(value);
  let parent: unknown = null;
  let key: string | number | null = null;
  let node: unknown = copy;
  for (const step of path) {
    if (typeof node !== "object" || node === null) break;
    const keys = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
    if (keys.length === 0) break;
    parent = node;
    key = keys[step % keys.length]!;
    node = (node as Record<string | number, unknown>)[key];
  }
  const target = (parent ?? { root: copy }) as Record<string | number, unknown>;
  const at = key ?? "root";
  if (change.op === "delete") {
    if (Array.isArray(target)) target.splice(Number(at), 1);
    else delete target[at];
  } else if (change.op === "add") {
    if (typeof node === "object" && node !== null && !Array.isArray(node)) {
      (node as Record<string, unknown>)[change.key] = change.value;
    } else target[at] = change.value;
  } else target[at] = change.value;
  return parent === null ? target.root : copy;
}

describe("exact parser", () => {
  const parseEvent = exactParser(jobEventSchema);
  const parseMetadata = exactParser(eventMetadataSchema);

  it("compiles a checker for the job events and their metadata", () => {
    expect(isExactlyCheckable(jobEventSchema)).toBe(true);
    expect(isExactlyCheckable(eventMetadataSchema)).toBe(true);
  });

  it("takes valid events as they are, without zod's copy (refined ones aside), and agrees with zod", () => {
    for (const [i, event] of events.entries()) {
      sameAsZod(jobEventSchema, parseEvent, event);
      const parsed = parseEvent(event);
      // JobPlanned carries a refinement, which zod runs
      if (event.type !== "JobPlanned") expect(parsed.success && parsed.data === event).toBe(true);
      sameAsZod(eventMetadataSchema, parseMetadata, metadata[i]);
      const meta = parseMetadata(metadata[i]);
      expect(meta.success && meta.data === metadata[i]).toBe(true);
    }
  });

  it("answers exactly as zod does for damaged events and metadata", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: events.length - 1 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        mutation,
        (i, path, change) => {
          sameAsZod(jobEventSchema, parseEvent, damage(events[i], path, change));
          sameAsZod(eventMetadataSchema, parseMetadata, damage(metadata[i], path, change));
        },
      ),
      { numRuns: 3_000 },
    );
  });

  it("answers exactly as zod does for any value, on every kind of schema it knows and some it does not", () => {
    enum Numeric {
      A = 1,
      B = 2,
    }
    // [schema, whether the checker compiles for it]
    const schemas: [z.ZodType, boolean][] = [
      [z.strictObject({ a: z.string().min(2).max(4), b: z.number().int().min(2).max(9).optional() }), true],
      [z.object({ a: z.uuid(), at: z.iso.datetime({ offset: true }) }), true], // strips unknown keys
      [z.looseObject({ a: z.string() }), false], // keeps them
      [z.strictObject({ n: z.number().positive(), m: z.number().nonnegative(), l: z.number().lt(3) }), true],
      [z.union([z.literal(25), z.literal(50)]), true],
      [z.literal([1, "1", null, true]), true],
      [z.enum(["a", "b"]), true],
      [z.enum(Numeric), false],
      [
        z
          .array(z.string().regex(/^[a-z]+$/))
          .min(1)
          .max(3),
        true,
      ],
      [z.record(z.string(), z.unknown()), true],
      [z.record(z.string(), z.number()), true],
      [z.string().nullable(), true],
      [z.boolean(), true],
      [z.unknown(), true],
      [
        z.discriminatedUnion("k", [
          z.strictObject({ k: z.literal("x"), v: z.number() }),
          z.strictObject({ k: z.literal("y"), v: z.string().trim() }), // an overwrite: zod's to run
        ]),
        true,
      ],
      [z.string().default("d"), false],
      [z.string().transform((s) => s.length), false],
      [z.strictObject({ a: z.number() }).refine((o) => o.a > 1), false],
      [z.strictObject({ g: z.guid(), d: z.iso.date(), t: z.iso.time() }), true],
      [z.email(), false],
      [z.url(), false],
      [z.number().multipleOf(2), false],
    ];
    const sample = fc.oneof(
      fc.jsonValue(),
      fc.anything(),
      fc.record({ a: fc.string(), b: fc.integer(), k: fc.constantFrom("x", "y", "z"), v: fc.jsonValue() }),
      fc.record({
        a: fc.uuid(),
        at: fc.constantFrom("2026-11-01T08:00:10.036Z", "2026-11-01T08:00:10Z", "x"),
      }),
      fc.array(fc.constantFrom("abc", "A", "", "zz")),
      fc
        .constantFrom('{"__proto__": {"a": 1}, "b": 2}', '{"a": "xy", "__proto__": 3}')
        .map((t) => JSON.parse(t)),
      fc.constantFrom(
        1,
        2,
        25,
        50,
        "A",
        "a",
        "1",
        null,
        true,
        "a@b.io",
        "https://x.io",
        Number.NaN,
        Infinity,
      ),
    );
    for (const [schema, checkable] of schemas) {
      expect(isExactlyCheckable(schema)).toBe(checkable);
      const parse = exactParser(schema);
      fc.assert(
        fc.property(sample, (value) => sameAsZod(schema, parse, value)),
        { numRuns: 400 },
      );
    }
  });
});
