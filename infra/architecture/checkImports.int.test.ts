// The import check on small fixture projects written to a temporary folder, and on this project: a
// wrong arrow fails it, the design's arrows pass, and `bin/check-imports.mjs` exits non-zero.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { checkImports } from "./checkImports.ts";
import { pendingArrows } from "./importRules.ts";

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const folders: string[] = [];

/** A fixture project: path → source. */
async function fixture(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "webencode-imports-"));
  folders.push(root);
  for (const [path, source] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), source);
  }
  return root;
}
afterEach(async () => {
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
});

const arrowsOf = async (files: Record<string, string>) =>
  (await checkImports(await fixture(files))).map((w) => `${w.from} → ${w.to}: ${w.reason}`);

describe("the import check", () => {
  it("passes this project, with its pending arrows", async () => {
    expect(await checkImports(projectRoot, { pending: pendingArrows })).toEqual([]);
  });

  it("refuses a domain that imports the command side", async () => {
    expect(
      await arrowsOf({
        "domain/job/decide.ts": 'import { jobRoutes } from "../../commands/jobs/jobRoutes.ts";\n',
        "commands/jobs/jobRoutes.ts": "export const jobRoutes = 1;\n",
      }),
    ).toEqual(["domain/job/decide.ts → commands/jobs/jobRoutes.ts: domain may import only domain, schemas"]);
  });

  it("refuses a decider that reaches for a port (I/O), and lets the ports name the domain's types", async () => {
    expect(
      await arrowsOf({
        "domain/job/decide.ts": 'import type { EventStore } from "../ports/eventStore.ts";\n',
        "domain/job/jobState.ts": "export type JobState = {};\n",
        "domain/ports/eventStore.ts": "export interface EventStore {}\n",
        "domain/ports/jobCommands.ts":
          'import type { JobState } from "../job/jobState.ts";\nimport type { EventStore } from "./eventStore.ts";\n',
      }),
    ).toEqual([
      "domain/job/decide.ts → domain/ports/eventStore.ts: domain may not import ports: deciders and policies do no I/O",
    ]);
  });

  it("refuses workers that reach the command side instead of its port", async () => {
    expect(
      await arrowsOf({
        "workers/reactors/planner.ts":
          'import { executeJobCommand } from "../../commands/jobs/executeJobCommand.ts";\nimport type { JobCommands } from "../../domain/ports/jobCommands.ts";\n',
        "commands/jobs/executeJobCommand.ts": "export const executeJobCommand = 1;\n",
        "domain/ports/jobCommands.ts": "export interface JobCommands {}\n",
      }),
    ).toEqual([
      "workers/reactors/planner.ts → commands/jobs/executeJobCommand.ts: workers may import only workers, domain, schemas, plugins/sdk",
    ]);
  });

  it("keeps the arrows of the design: schemas ← domain ← commands/projections/workers ← infra", async () => {
    expect(
      await arrowsOf({
        "schemas/a.ts": "export const a = 1;\n",
        "domain/b.ts": 'import { a } from "../schemas/a.ts";\nexport const b = a;\n',
        "domain/ports/store.ts": 'import type { a } from "../../schemas/a.ts";\n',
        "commands/c.ts": 'import { b } from "../domain/b.ts";\nimport { e } from "../infra/http/e.ts";\n',
        "projections/p.ts": 'import { e } from "../infra/http/e.ts";\nimport { b } from "../domain/b.ts";\n',
        "workers/w.ts": 'import { s } from "../plugins/sdk/s.ts";\nimport { b } from "../domain/b.ts";\n',
        "plugins/sdk/s.ts": 'import { a } from "../../schemas/a.ts";\nexport const s = a;\n',
        "plugins/storage-fs/f.ts": 'import { s } from "../sdk/s.ts";\nimport { g } from "./g.ts";\n',
        "plugins/storage-fs/g.ts": "export const g = 1;\n",
        "infra/http/e.ts": 'import type { Store } from "../../domain/ports/store.ts";\nexport const e = 1;\n',
        "infra/platform/k.ts": 'import "../../commands/c.ts";\nimport "../../workers/w.ts";\n',
        "web/app.ts":
          'import type { a } from "../schemas/a.ts";\nimport { type b } from "../schemas/a.ts";\n',
      }),
    ).toEqual([]);
  });

  it("refuses each wrong arrow, however it is written", async () => {
    expect(
      await arrowsOf({
        "schemas/a.ts": 'export { b } from "../domain/b.ts";\n',
        "domain/b.ts": "export const b = 1;\n",
        "projections/p.ts": 'const routes = await import("../commands/c.ts");\n',
        "commands/c.ts": 'import { k } from "../infra/platform/k.ts";\n',
        "workers/w.ts": 'import { f } from "../plugins/storage-fs/f.ts";\n',
        "plugins/storage-fs/f.ts":
          'import { c } from "../../commands/c.ts";\nimport "../encoder-ffmpeg/x.ts";\n',
        "plugins/sdk/s.ts": 'import type { B } from "../../domain/b.ts";\n',
        "infra/http/e.ts": 'import { k } from "../platform/k.ts";\n',
        "infra/platform/k.ts": "export const k = 1;\n",
        "web/app.ts": 'import { a } from "../schemas/a.ts";\nimport type { c } from "../commands/c.ts";\n',
      }),
    ).toEqual([
      "commands/c.ts → infra/platform/k.ts: commands may import only commands, domain, schemas, edge, plugins/sdk",
      "infra/http/e.ts → infra/platform/k.ts: edge may import only edge, schemas, ports",
      "plugins/sdk/s.ts → domain/b.ts: plugins/sdk may import only plugins/sdk, schemas",
      "plugins/storage-fs/f.ts → commands/c.ts: plugin:storage-fs may import only plugin:storage-fs, schemas, plugins/sdk",
      "plugins/storage-fs/f.ts → plugins/encoder-ffmpeg/x.ts: plugin:storage-fs may import only plugin:storage-fs, schemas, plugins/sdk",
      "projections/p.ts → commands/c.ts: projections may import only projections, domain, schemas, edge, plugins/sdk",
      "schemas/a.ts → domain/b.ts: schemas may import only schemas",
      "web/app.ts → schemas/a.ts: web may import only types",
      "web/app.ts → commands/c.ts: web may import only web, schemas",
      "workers/w.ts → plugins/storage-fs/f.ts: workers may import only workers, domain, schemas, plugins/sdk",
    ]);
  });

  it("lets tests, test support and benchmarks reach across", async () => {
    expect(
      await arrowsOf({
        "domain/b.unit.test.ts": 'import "../infra/platform/k.ts";\n',
        "workers/w.int.test.ts": 'import "../plugins/encoder-ffmpeg/x.ts";\n',
        "test/support/kernel.ts": 'import "../../infra/platform/k.ts";\n',
        "bench/overhead.ts": 'import "../infra/platform/k.ts";\n',
      }),
    ).toEqual([]);
  });

  it("reports a pending arrow that is gone, so the list only shrinks", async () => {
    const root = await fixture({ "workers/w.ts": 'import "../domain/b.ts";\n' });
    const wrong = await checkImports(root, { pending: [{ from: "workers/w.ts", to: "infra/x.ts" }] });
    expect(wrong.map((w) => w.reason)).toEqual(["listed as pending but gone: strike it"]);
  });

  it("keeps the file system out of commands, projections, domain and schemas, however it is imported", async () => {
    expect(
      await arrowsOf({
        "commands/files/upload.ts": 'import { open } from "node:fs/promises";\n',
        "projections/jobs/q.ts": 'const fs = require("fs");\n',
        "domain/job/d.ts": 'const { readFile } = await import("node:fs");\n',
        "domain/ports/p.ts": 'export { createReadStream } from "fs";\n',
        "schemas/s.ts": 'import { statSync } from "fs/promises";\n',
      }),
    ).toEqual([
      "commands/files/upload.ts → node:fs/promises: commands may not open files: reach media and storage through a StorageProvider (plugins/sdk)",
      "domain/job/d.ts → node:fs: domain may not open files: reach media and storage through a StorageProvider (plugins/sdk)",
      "domain/ports/p.ts → fs: domain may not open files: reach media and storage through a StorageProvider (plugins/sdk)",
      "projections/jobs/q.ts → fs: projections may not open files: reach media and storage through a StorageProvider (plugins/sdk)",
      "schemas/s.ts → fs/promises: schemas may not open files: reach media and storage through a StorageProvider (plugins/sdk)",
    ]);
  });

  it("lets storage plugins, infra, tests and benchmarks open files, and anyone name its types", async () => {
    expect(
      await arrowsOf({
        "plugins/storage-fs/w.ts": 'import { open } from "node:fs/promises";\n',
        "infra/platform/k.ts": 'import { mkdir } from "node:fs/promises";\n',
        "commands/files/upload.int.test.ts": 'import { readdir } from "node:fs/promises";\n',
        "bench/upload.ts": 'import { createReadStream } from "node:fs";\n',
        "commands/files/types.ts": 'import type { Stats } from "node:fs";\nimport "node:path";\n',
      }),
    ).toEqual([]);
  });

  it("fails npm run check's command on a file-system import in the command side", async () => {
    const root = await fixture({
      "commands/files/upload.ts": '// an upload\nimport { open } from "node:fs/promises";\n',
    });
    const run = promisify(execFile)(process.execPath, [join(projectRoot, "bin/check-imports.mjs"), root]);
    await expect(run).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining(
        "commands/files/upload.ts:2 imports node:fs/promises: commands may not open files",
      ),
    });
  });

  it("fails the command npm run check runs, naming the file, the line and the rule", async () => {
    const root = await fixture({
      "domain/b.ts": "export const b = 1;\n",
      "workers/w.ts": '// a reactor\nimport { k } from "../infra/platform/k.ts";\n',
    });
    const run = promisify(execFile)(process.execPath, [join(projectRoot, "bin/check-imports.mjs"), root]);
    await expect(run).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining(
        "workers/w.ts:2 imports infra/platform/k.ts: workers may import only workers, domain, schemas, plugins/sdk",
      ),
    });
  });
});
