// Tests only: a kernel on a throwaway database and data directory, configured by `env` as
// `webencode up` would be, with the in-process queue and progress bus.
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Role } from "../../infra/http/httpEnv.ts";
import { openDatabase, type PlatformDatabase } from "../../infra/platform/openDatabase.ts";
import { loadConfig } from "../../infra/platform/platformConfig.ts";
import { type Kernel, startKernel } from "../../infra/platform/startKernel.ts";
import { createMemoryProgressBus } from "../../infra/progress/memoryProgressBus.ts";
import { createMemoryWorkQueue } from "../../infra/queue/memory/memoryWorkQueue.ts";
import { createTestDatabase } from "./testDatabase.ts";

export interface TestKernel {
  kernel: Kernel;
  db: PlatformDatabase;
  /** Its media root, `<dir>/media`. */
  mediaDir: string;
  /** A new token of a user of its own. */
  tokenFor(role: Role): Promise<{ token: string; userId: string }>;
  stop(): Promise<void>;
}

export async function startTestKernel(
  name: string,
  env: NodeJS.ProcessEnv = {},
  /** The data folder's plugins.toml, when the test configures plugins. */
  pluginsToml?: string,
): Promise<TestKernel> {
  const dir = await mkdtemp(join(tmpdir(), `webencode-${name}-`));
  await chmod(dir, 0o755);
  const database = await createTestDatabase(name);
  const mediaDir = join(dir, "media");
  const config = loadConfig({ port: "0", data: join(dir, "data"), "media-dir": mediaDir }, env);
  if (pluginsToml !== undefined) {
    await mkdir(config.dataDir, { recursive: true });
    await writeFile(join(config.dataDir, "plugins.toml"), pluginsToml);
  }
  const db = await openDatabase({ dataDir: config.dataDir, databaseUrl: database.url });
  const kernel = await startKernel(config, db, createMemoryWorkQueue(), createMemoryProgressBus(), () => {});
  return {
    kernel,
    db,
    mediaDir,
    async tokenFor(role) {
      const issued = await kernel.tokens.issue({ name: role, role }, { userId: "system", role: "system" });
      if (issued._tag !== "Issued") throw new Error(issued._tag);
      return { token: issued.token, userId: issued.userId };
    },
    async stop() {
      await kernel.stop();
      await db.close();
      await database.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
