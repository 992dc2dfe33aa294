import fc from "fast-check";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../test/support/testDatabase.ts";
import { pgArrayLiteral } from "./arrayLiteral.ts";

let database: TestDatabase;
let client: pg.Client;
beforeAll(async () => {
  database = await createTestDatabase("arrays");
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
});
afterAll(async () => {
  await client.end();
  await database.drop();
});

describe("Postgres array literals", () => {
  it("round-trips any text, including quotes, backslashes, braces, commas, blanks, NULL and line breaks", async () => {
    const text = fc.oneof(
      fc.string({ unit: "binary" }).map((s) => s.replaceAll("\u0000", "")),
      fc.constantFrom("NULL", "null", "", " ", "{}", 'a"b', "a\\b", "a,b", "\n\t", '\\"', "é🎬"),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.option(text, { nil: null }), { maxLength: 20 }), async (values) => {
        const { rows } = await client.query<{ a: (string | null)[] }>("select $1::text[] as a", [
          pgArrayLiteral(values),
        ]);
        expect(rows[0]!.a).toEqual(values);
      }),
      { numRuns: 300 },
    );
  });

  it("carries numbers, uuids and timestamps into typed arrays", async () => {
    const { rows } = await client.query(
      "select $1::bigint[] as n, $2::uuid[] as u, $3::timestamptz[] as t, $4::int[] as i",
      [
        pgArrayLiteral([1, 9007199254740991, null]),
        pgArrayLiteral(["3f9f2284-666a-45e5-a989-3545a32b5150", null]),
        pgArrayLiteral(["2026-11-01T08:00:10.036Z", "2026-11-01T09:00:10.5+01:00"]),
        pgArrayLiteral([-3, 0]),
      ],
    );
    expect(rows[0]).toEqual({
      n: ["1", "9007199254740991", null],
      u: ["3f9f2284-666a-45e5-a989-3545a32b5150", null],
      t: [new Date("2026-11-01T08:00:10.036Z"), new Date("2026-11-01T08:00:10.500Z")],
      i: [-3, 0],
    });
  });

  it("refuses numbers Postgres cannot store", () => {
    expect(() => pgArrayLiteral([Number.NaN])).toThrow(/NaN/);
    expect(() => pgArrayLiteral([Number.POSITIVE_INFINITY])).toThrow(/Infinity/);
  });
});
