// The small part of semantic versioning a manifest's kernel_versions needs: comparator sets such as
// `>=0.1.0 <1.0.0`, alternatives joined by `||`, versions ordered by semver precedence.

type Operator = ">=" | "<=" | ">" | "<" | "=";
interface Version {
  readonly core: readonly [number, number, number];
  readonly prerelease: readonly string[];
}
interface Comparator {
  readonly operator: Operator;
  readonly version: Version;
}
/** Any one set satisfied is enough; every comparator of a set must hold. */
export type VersionRange = readonly (readonly Comparator[])[];

export interface InvalidVersion {
  readonly _tag: "InvalidVersion";
  readonly reason: string;
}

const VERSION =
  /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;
const COMPARATOR = /\s*(>=|<=|>|<|=)?\s*([^\s<>=|]+)\s*/y;

export function parseVersion(text: string): Version | InvalidVersion {
  const m = VERSION.exec(text);
  if (!m) return { _tag: "InvalidVersion", reason: `"${text}" is not a version like 1.2.3` };
  return {
    core: [Number(m[1]), Number(m[2]), Number(m[3])],
    prerelease: m[4] === undefined ? [] : m[4].split("."),
  };
}

export function parseVersionRange(text: string): VersionRange | InvalidVersion {
  const sets: Comparator[][] = [];
  for (const alternative of text.split("||")) {
    if (alternative.trim() === "")
      return { _tag: "InvalidVersion", reason: `"${text}" has an empty alternative` };
    const set: Comparator[] = [];
    COMPARATOR.lastIndex = 0;
    while (COMPARATOR.lastIndex < alternative.length) {
      const at = COMPARATOR.lastIndex;
      const m = COMPARATOR.exec(alternative);
      if (!m) return { _tag: "InvalidVersion", reason: `unexpected "${alternative.slice(at).trim()}"` };
      const version = parseVersion(m[2]!);
      if ("_tag" in version) return version;
      set.push({ operator: (m[1] ?? "=") as Operator, version });
    }
    sets.push(set);
  }
  return sets;
}

const compareIdentifiers = (a: string, b: string) => {
  const numeric = (s: string) => /^\d+$/.test(s);
  if (numeric(a) && numeric(b)) return Math.sign(Number(a) - Number(b));
  if (numeric(a) !== numeric(b)) return numeric(a) ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
};

/** Semver precedence: build metadata is ignored; a pre-release comes before its release. */
export function compareVersions(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) if (a.core[i] !== b.core[i]) return Math.sign(a.core[i]! - b.core[i]!);
  if (a.prerelease.length === 0 || b.prerelease.length === 0)
    return Math.sign(b.prerelease.length - a.prerelease.length);
  for (let i = 0; i < Math.min(a.prerelease.length, b.prerelease.length); i++) {
    const order = compareIdentifiers(a.prerelease[i]!, b.prerelease[i]!);
    if (order !== 0) return order;
  }
  return Math.sign(a.prerelease.length - b.prerelease.length);
}

const holds = (order: number, operator: Operator) =>
  operator === ">="
    ? order >= 0
    : operator === "<="
      ? order <= 0
      : operator === ">"
        ? order > 0
        : operator === "<"
          ? order < 0
          : order === 0;

export function satisfies(version: Version, range: VersionRange): boolean {
  return range.some((set) => set.every((c) => holds(compareVersions(version, c.version), c.operator)));
}
