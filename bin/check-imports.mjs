#!/usr/bin/env node
// npm run check runs this: every import must keep the design's arrows (infra/architecture/importRules.ts).
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

register();
const { checkImports } = await import("../infra/architecture/checkImports.ts");
const { pendingArrows } = await import("../infra/architecture/importRules.ts");
// given a folder (tests do), it checks that folder against the rules alone
const [given] = process.argv.slice(2);
const root = given ?? join(dirname(fileURLToPath(import.meta.url)), "..");
const wrong = await checkImports(root, { pending: given ? [] : pendingArrows });
for (const w of wrong) console.error(`${w.from}:${w.line} imports ${w.to}: ${w.reason}`);
if (wrong.length > 0) {
  console.error(`${wrong.length} import(s) break the design's arrows (docs/architecture.md, "Folders")`);
  process.exitCode = 1;
} else {
  console.log("imports keep the design's arrows");
}
