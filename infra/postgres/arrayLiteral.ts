// Postgres array literals for `unnest($1::uuid[], …)` inserts, built in one pass. The driver's
// generic conversion checks and escapes element by element and cost more than the insert's fold.

/** `{"a","b\"c",NULL}`: every element quoted, `"` and `\` escaped, null and undefined as NULL. */
export function pgArrayLiteral(values: readonly (string | number | boolean | null | undefined)[]): string {
  let literal = "{";
  for (let i = 0; i < values.length; i++) {
    if (i > 0) literal += ",";
    const value = values[i];
    if (value === null || value === undefined) {
      literal += "NULL";
    } else if (typeof value === "number") {
      if (!Number.isFinite(value)) throw new Error(`cannot store ${value} in a Postgres array`);
      literal += String(value);
    } else {
      const text = String(value);
      literal += `"${/["\\]/.test(text) ? text.replace(/["\\]/g, "\\$&") : text}"`;
    }
  }
  return `${literal}}`;
}
