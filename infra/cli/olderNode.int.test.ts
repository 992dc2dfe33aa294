// bin/webencode.mjs started by a Node older than 22 (as a system node may be): it hands itself over to
// the Node the project installs, or says what it needs. The old Node is played by the project's own
// with its version rewritten, and made to fail if it ever loads the CLI itself.
import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const bin = fileURLToPath(new URL("../../bin/webencode.mjs", import.meta.url));

const oldNode = `
import { registerHooks } from "node:module";
Object.defineProperty(process.versions, "node", { value: "20.19.0" });
registerHooks({
  resolve(specifier, context, next) {
    if (specifier === "tsx/esm/api") throw new Error("the old Node ran the CLI itself");
    return next(specifier, context);
  },
});`;
const asOldNode = ["--import", `data:text/javascript,${encodeURIComponent(oldNode)}`];

const folders: string[] = [];
afterAll(async () => {
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

describe("webencode on a Node older than 22", () => {
  it("runs the command on the project's Node and answers with its exit status", async () => {
    const ran = run(process.execPath, [...asOldNode, bin, "no-such-command"], { timeout: 60_000 });
    await expect(ran).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining("unknown command: no-such-command"),
    });
    await expect(ran).rejects.toMatchObject({ stderr: expect.not.stringContaining("ran the CLI itself") });
  });

  it("says what it needs when the project's Node is not installed", async () => {
    const folder = await mkdtemp(join(tmpdir(), "webencode-bin-"));
    folders.push(folder);
    await mkdir(join(folder, "bin"));
    await copyFile(bin, join(folder, "bin", "webencode.mjs"));
    const ran = run(process.execPath, [...asOldNode, join(folder, "bin", "webencode.mjs"), "up"], {
      timeout: 60_000,
    });
    await expect(ran).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        /^webencode needs Node 22 or newer; this is Node 20\.19\.0\.\n.*Node 24 LTS/,
      ),
    });
  });
});
