// Postgres array literals for `unnest($1::uuid[], …)` inserts, built in one pass. The driver's
// generic conversion checks and escapes element by element and cost more than the insert's fold.

const NEEDS_ESCAPE = /["\\]/;

/** `{"a","b\"c",NULL}`: every element quoted, `"` and `\` escaped, null and undefined as NULL. */
export function pgArrayLiteral(values: readonly (string | number | boolean | null | undefined)[]): string {
  // parts joined once: appending to one string makes a rope of a million pieces on a big insert
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === null || value === undefined) {
      parts[i] = "NULL";
    } else if (typeof value === "number") {
      if (!Number.isFinite(value)) throw new Error(`cannot store ${value} in a Postgres array`);
      parts[i] = String(value);
    } else {
      const text = String(value);
      parts[i] = `"${NEEDS_ESCAPE.test(text) ? text.replace(/["\\]/g, "\\$&") : text}"`;
    }
  }
  return `{${parts.join(",")}}`;
}
