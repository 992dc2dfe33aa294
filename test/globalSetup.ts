// One throwaway PostgreSQL for the whole run (embedded, in a temp dir, on a free port), unless
// WEBENCODE_TEST_PG_URL points at a server. Test files create their own databases inside it.
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "../infra/postgres/embeddedPostgres.ts";

declare module "vitest" {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const external = process.env.WEBENCODE_TEST_PG_URL;
  if (external) {
    project.provide("pgAdminUrl", external);
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), "webencode-test-pg-"));
  await chmod(dir, 0o755); // as root the cluster runs as the postgres user, which must reach its directory
  const server = await startEmbeddedPostgres({
    dataDir: join(dir, "data"),
    password: randomBytes(12).toString("hex"),
  });
  project.provide("pgAdminUrl", server.url);
  return async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
