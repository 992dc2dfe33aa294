#!/usr/bin/env node
// npm run bench -- <name> [args]: runs bench/<name>.ts; its last output line is a JSON object of figures.
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

const benchDir = join(dirname(fileURLToPath(import.meta.url)), "..", "bench");
const [name, ...args] = process.argv.slice(2);
const available = readdirSync(benchDir)
  .filter((f) => f.endsWith(".ts"))
  .map((f) => f.replace(/\.ts$/, ""));
if (!name || !existsSync(join(benchDir, `${name}.ts`))) {
  console.error(`usage: npm run bench -- <name>\navailable: ${available.join(", ")}`);
  process.exit(2);
}
register();
const { run } = await import(join(benchDir, `${name}.ts`));
process.exitCode = await run(args);
