// The arrows of the design, as data: which part of the code may import which. Checked by
// `npm run check` (bin/check-imports.mjs); a wrong arrow fails it.

/** A part of the code, named by its folder. */
export type Zone =
  | "schemas"
  | "domain"
  | "ports"
  | "commands"
  | "projections"
  | "workers"
  | "plugins/sdk"
  | `plugin:${string}`
  | "edge"
  | "infra"
  | "web"
  | "free";

/**
 * The zones a file belongs to, from its path relative to the project root. `domain/ports` is domain
 * and ports at once; the HTTP edge (`infra/http`) is a zone of its own, not the rest of infra.
 * Tests, test support, benchmarks and the bin scripts reach across on purpose and are free.
 */
export function zonesOf(path: string): Zone[] {
  if (/\.test\.ts$/.test(path)) return ["free"];
  const [top, sub] = path.split("/");
  switch (top) {
    case "schemas":
    case "commands":
    case "projections":
    case "workers":
    case "web":
      return [top];
    case "domain":
      return sub === "ports" ? ["domain", "ports"] : ["domain"];
    case "plugins":
      return sub === "sdk" ? ["plugins/sdk"] : [`plugin:${sub}`];
    case "infra":
      return sub === "http" ? ["edge"] : ["infra"];
    default:
      return ["free"];
  }
}

interface Rule {
  /** Zones this zone may import, besides itself. */
  may: readonly Zone[];
  /** Only `import type` of them (the dashboard shares the API's types, not its code). */
  typesOnly?: boolean;
}

// The plugin SDK is the pillars' contracts: ports that the command side, the queries and the workers
// may name. Everything may import packages and Node's own modules.
const rules: Record<Exclude<Zone, "free" | "infra" | `plugin:${string}`>, Rule> = {
  schemas: { may: [] },
  domain: { may: ["schemas"] },
  ports: { may: ["schemas", "domain"] },
  edge: { may: ["schemas", "ports"] },
  commands: { may: ["domain", "schemas", "edge", "plugins/sdk"] },
  projections: { may: ["domain", "schemas", "edge", "plugins/sdk"] },
  workers: { may: ["domain", "schemas", "plugins/sdk"] },
  "plugins/sdk": { may: ["schemas"] },
  web: { may: ["schemas"], typesOnly: true },
};

/**
 * Zones whose code may not open files itself: media and storage folders are opened only by storage
 * plugins, through the storage pillar. Adding a zone is one line.
 */
export const noFileSystemZones: readonly Zone[] = ["commands", "projections", "workers", "domain", "schemas"];

/** Node's file-system modules, however they are named. */
const FILE_SYSTEM_MODULES = /^(node:)?fs(\/promises)?$/;

/** Why importing the package or Node module `specifier` breaks the rules, or undefined when it does not. */
export function wrongModule(from: string, specifier: string): string | undefined {
  if (!FILE_SYSTEM_MODULES.test(specifier)) return undefined;
  const zone = zonesOf(from).find((z) => noFileSystemZones.includes(z));
  return zone === undefined
    ? undefined
    : `${zone} may not open files: reach media and storage through a StorageProvider (plugins/sdk)`;
}

export interface ImportArrow {
  from: string;
  to: string;
  typeOnly: boolean;
}

/** Why an arrow breaks the rules, or undefined when it keeps them. */
export function wrongArrow({ from, to, typeOnly }: ImportArrow): string | undefined {
  const sources = zonesOf(from);
  const targets = zonesOf(to);
  // Deciders and policies stay pure: ports are I/O, for the sides that do I/O. (A port is `domain` too,
  // so the zone loop below would let a decider import one.)
  if (sources.includes("domain") && !sources.includes("ports") && targets.includes("ports"))
    return "domain may not import ports: deciders and policies do no I/O";
  for (const zone of sources) {
    if (zone === "free" || zone === "infra" || targets.includes(zone)) continue;
    const rule: Rule = zone.startsWith("plugin:")
      ? { may: ["schemas", "plugins/sdk"] }
      : rules[zone as keyof typeof rules];
    const allowed = targets.some((target) => rule.may.includes(target));
    if (!allowed) return `${zone} may import only ${[zone, ...rule.may].join(", ")}`;
    if (rule.typesOnly && !typeOnly) return `${zone} may import only types`;
  }
  return undefined;
}

/**
 * Arrows that break the rules today and are on their way out; none are left. Listed exactly: a new
 * wrong arrow fails the check, and so does a listed one that is gone (strike it here).
 */
export const pendingArrows: readonly { from: string; to: string }[] = [];
