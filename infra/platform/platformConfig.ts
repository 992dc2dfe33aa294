// Configuration of a WebEncode process, from flags and environment, with the defaults of `webencode up`.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { RateLimit } from "../../commands/http/tokenBucket.ts";

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
  databaseUrl?: string;
  eventStoreUrl?: string;
  natsUrl?: string;
  /** Namespaces NATS streams and subjects, so several installations can share a NATS cluster. */
  natsPrefix: string;
  /** Where this process's ffmpeg pid records and scratch files live. */
  stateDir: string;
  /** How long an Idempotency-Key is remembered before it is swept. */
  idempotencyTtlMs: number;
  /** How many Idempotency-Keys one user may hold at once. */
  idempotencyKeysPerUser: number;
  /** Commands per second (and at once) each API token may send; null: unlimited. */
  commandRateLimit: RateLimit | null;
}

/** A kernel serves many users: `webencode kernel` limits each token unless told otherwise. */
export const KERNEL_COMMAND_RATE_LIMIT: RateLimit = { perSecond: 10, burst: 50 };

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

/**
 * WEBENCODE_RATE_LIMIT_PER_S (0: off) and WEBENCODE_RATE_LIMIT_BURST (default: 5 seconds' worth);
 * unset, `webencode up` is unlimited (one person's machine) and `webencode kernel` uses the kernel default.
 */
function commandRateLimitOf(env: NodeJS.ProcessEnv, mode: PlatformMode): RateLimit | null {
  const perSecond = env.WEBENCODE_RATE_LIMIT_PER_S;
  if (perSecond === undefined || perSecond === "") {
    return mode === "kernel" ? KERNEL_COMMAND_RATE_LIMIT : null;
  }
  const rate = Number(perSecond);
  if (!Number.isFinite(rate) || rate < 0) {
    throw new Error(
      `WEBENCODE_RATE_LIMIT_PER_S must be a number of 0 or more, got ${JSON.stringify(perSecond)}`,
    );
  }
  if (rate === 0) return null;
  const burst = positiveInt(
    env.WEBENCODE_RATE_LIMIT_BURST,
    "WEBENCODE_RATE_LIMIT_BURST",
    Math.ceil(rate * 5),
  );
  return { perSecond: rate, burst: Math.max(1, burst) };
}

export type PlatformMode = "up" | "kernel" | "worker";

export function loadConfig(
  flags: ConfigFlags,
  env: NodeJS.ProcessEnv = process.env,
  mode: PlatformMode = "up",
): PlatformConfig {
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
    databaseUrl: env.DATABASE_URL || undefined,
    eventStoreUrl: env.EVENT_STORE_URL || undefined,
    natsUrl: env.NATS_URL || undefined,
    natsPrefix: env.WEBENCODE_NATS_PREFIX ?? "webencode",
    stateDir: resolve(env.WEBENCODE_STATE_DIR ?? join(dataDir, "state")),
    idempotencyTtlMs: positiveInt(
      env.WEBENCODE_IDEMPOTENCY_TTL_MS,
      "WEBENCODE_IDEMPOTENCY_TTL_MS",
      24 * 60 * 60 * 1000,
    ),
    idempotencyKeysPerUser: positiveInt(
      env.WEBENCODE_IDEMPOTENCY_KEYS_PER_USER,
      "WEBENCODE_IDEMPOTENCY_KEYS_PER_USER",
      10_000,
    ),
    commandRateLimit: commandRateLimitOf(env, mode),
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
