#!/usr/bin/env node
// The webencode command: runs the TypeScript sources directly through tsx.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../infra/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
