#!/usr/bin/env node
// The webencode command: runs the TypeScript sources directly through tsx, on Node 22 or newer.
// Started by an older system node, it hands itself over to the Node 24 the project installs.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { constants } from "node:os";

const minimumMajor = 22;

if (Number(process.versions.node.split(".")[0]) < minimumMajor) {
  process.exitCode = await runWithProjectNode();
} else {
  const { register } = await import("tsx/esm/api");
  register();
  const { main } = await import("../infra/cli/main.ts");
  process.exitCode = await main(process.argv.slice(2));
}

/** Re-runs this command under node_modules' Node, forwarding signals and the exit status. */
async function runWithProjectNode() {
  let projectNode;
  try {
    projectNode = createRequire(import.meta.url).resolve("node/bin/node");
  } catch {
    process.stderr.write(
      `webencode needs Node ${minimumMajor} or newer; this is Node ${process.versions.node}.\n` +
        "Install Node 24 LTS, or install webencode's dependencies (npx -y bun@1 install), which bring their own.\n",
    );
    return 1;
  }
  const child = spawn(projectNode, process.argv.slice(1), { stdio: "inherit" });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
  return await new Promise((resolve) => {
    child.on("error", (error) => {
      process.stderr.write(`webencode could not start ${projectNode}: ${error.message}\n`);
      resolve(1);
    });
    child.on("exit", (code, signal) => resolve(code ?? 128 + (constants.signals[signal] ?? 0)));
  });
}
