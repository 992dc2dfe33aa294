// Configuration of a WebEncode process, from flags and environment, with the defaults of `webencode up`.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { HostLookup } from "../../commands/sources/ssrfGuard.ts";
import { scriptedLookup } from "../egress/scriptedLookup.ts";

export interface PlatformConfig {
  host: string;
  port: number;
  dataDir: string;
  mediaDir: string;
  storageDir: string;
  /** Preset admin token (never printed or logged). */
  adminToken?: string;
  maxUploadBytes: number;
  workers: number;
  stallTimeoutMs: number;
  /** A task message not acknowledged (or heartbeated) for this long goes to another worker. */
  ackWaitMs: number;
  allowPrivateSources: boolean;
  allowSourceHosts: string[];
  /** Tests only (WEBENCODE_TEST_SOURCE_HOSTS): how source host names resolve; the system resolver if unset. */
  sourceLookup?: HostLookup;
  databaseUrl?: string;
  eventStoreUrl?: string;
  natsUrl?: string;
  /** Namespaces NATS streams and subjects, so several installations can share a NATS cluster. */
  natsPrefix: string;
  /** Where this process's ffmpeg pid records and scratch files live. */
  stateDir: string;
}

export interface ConfigFlags {
  port?: string;
  host?: string;
  data?: string;
  "media-dir"?: string;
  "storage-dir"?: string;
  workers?: string;
}

const positiveInt = (value: string | undefined, name: string, fallback: number) => {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`${name} must be a whole number, got ${JSON.stringify(value)}`);
  return n;
};

export function loadConfig(flags: ConfigFlags, env: NodeJS.ProcessEnv = process.env): PlatformConfig {
  const dataDir = resolve(flags.data ?? env.WEBENCODE_DATA ?? ".data");
  return {
    host: flags.host ?? env.WEBENCODE_HOST ?? "127.0.0.1",
    port: positiveInt(flags.port ?? env.WEBENCODE_PORT, "--port", 8080),
    dataDir,
    mediaDir: resolve(flags["media-dir"] ?? env.WEBENCODE_MEDIA_DIR ?? "media"),
    storageDir: resolve(flags["storage-dir"] ?? env.WEBENCODE_STORAGE_DIR ?? join(dataDir, "storage")),
    adminToken: env.WEBENCODE_ADMIN_TOKEN || undefined,
    maxUploadBytes: positiveInt(env.WEBENCODE_MAX_UPLOAD_BYTES, "WEBENCODE_MAX_UPLOAD_BYTES", 20 * 1024 ** 3),
    workers: positiveInt(flags.workers ?? env.WEBENCODE_WORKERS, "--workers", 1),
    stallTimeoutMs: positiveInt(env.WEBENCODE_STALL_TIMEOUT_MS, "WEBENCODE_STALL_TIMEOUT_MS", 60_000),
    ackWaitMs: positiveInt(env.WEBENCODE_ACK_WAIT_MS, "WEBENCODE_ACK_WAIT_MS", 30_000),
    allowPrivateSources: env.WEBENCODE_ALLOW_PRIVATE_SOURCES === "true",
    allowSourceHosts: (env.WEBENCODE_ALLOW_SOURCE_HOSTS ?? "")
      .split(",")
      .map((h) => h.trim())
      .filter(Boolean),
    ...(env.WEBENCODE_TEST_SOURCE_HOSTS
      ? { sourceLookup: scriptedLookup(env.WEBENCODE_TEST_SOURCE_HOSTS) }
      : {}),
    databaseUrl: env.DATABASE_URL || undefined,
    eventStoreUrl: env.EVENT_STORE_URL || undefined,
    natsUrl: env.NATS_URL || undefined,
    natsPrefix: env.WEBENCODE_NATS_PREFIX ?? "webencode",
    stateDir: resolve(env.WEBENCODE_STATE_DIR ?? join(dataDir, "state")),
  };
}

/** A secret kept under the data directory (generated once), or taken from the environment. */
export async function persistentSecret(dataDir: string, name: string, fromEnv?: string): Promise<string> {
  if (fromEnv) return fromEnv;
  const dir = join(dataDir, "secrets");
  const file = join(dir, name);
  if (!existsSync(file)) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(file, randomBytes(32).toString("base64url"), { mode: 0o600, flag: "wx" }).catch(
      (error) => {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      },
    );
  }
  return (await readFile(file, "utf8")).trim();
}
