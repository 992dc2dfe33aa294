// Durations in configuration: a whole number with a unit (`7d`, `12h`, `30m`, `45s`, `500ms`), or bare
// seconds.
const UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3600_000, d: 86_400_000 };

/** Milliseconds of `value`, `fallback` when it is unset; a clear error naming `name` otherwise. */
export function parseDuration(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value.trim() === "") return fallback;
  const match = /^(\d+)\s*(ms|s|m|h|d)?$/.exec(value.trim());
  if (!match) {
    throw new Error(`${name} must be a duration such as 7d, 12h, 30m or 45s, got ${JSON.stringify(value)}`);
  }
  return Number(match[1]) * UNITS_MS[match[2] ?? "s"]!;
}
