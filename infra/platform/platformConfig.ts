// Configuration of a WebEncode process, from flags and environment, with the defaults of `webencode up`.
import { join, resolve } from "node:path";
import {
  defaultSegmentBounds,
  type SegmentBounds,
  segmentBoundsProblem,
} from "../../domain/job/planSegments.ts";
import type { HostLookup } from "../../plugins/sdk/sources/ssrfGuard.ts";
import {
  DEFAULT_FAILED_RETENTION_MS,
  DEFAULT_SWEEP_INTERVAL_MS,
} from "../../workers/reactors/failedWorkSweeper.ts";
import { HEARTBEAT_INTERVAL_MS } from "../../workers/reactors/workerLivenessMonitor.ts";
import { scriptedLookup } from "../egress/scriptedLookup.ts";
import type { RateLimit } from "../http/tokenBucket.ts";
import type { RetryPolicy } from "../processors/retryBounded.ts";
import { parseDuration } from "./parseDuration.ts";
import { MIN_SECRET_BYTES } from "./persistentSecret.ts";

export interface PlatformConfig {
  host: string;
  port: number;
  dataDir: string;
  mediaDir: string;
  storageDir: string;
  /**
   * Where work files, chunks and outputs go: `fs` (storage-fs over the storage folder, one machine or a
   * shared volume) or `s3` (storage-s3's bucket: kernel and workers share nothing else).
   */
  jobStorage: JobStorageKind;
  /** The installation's signing secret (WEBENCODE_SECRET), else one generated under the data directory. */
  secret?: string;
  /** Preset admin token (never printed or logged). */
  adminToken?: string;
  maxUploadBytes: number;
  workers: number;
  stallTimeoutMs: number;
  /** Workers send a heartbeat this often; one missing three in a row is lost (WEBENCODE_HEARTBEAT_MS). */
  heartbeatIntervalMs: number;
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
  /** How long a failed job's work folder is kept, from the time it failed (WEBENCODE_FAILED_RETENTION). */
  failedRetentionMs: number;
  /**
   * Segment lengths of split jobs for profiles that set none (WEBENCODE_SEGMENT_SECONDS=min:target:max,
   * default 10:45:120).
   */
  segmentBounds: SegmentBounds;
  /** How often kept work folders are looked at (WEBENCODE_SWEEP_INTERVAL). */
  sweepIntervalMs: number;
  /** Where this process's ffmpeg pid records and scratch files live. */
  stateDir: string;
  /** How often reactors and projectors try an event before giving up on it, and their backoff. */
  processorRetry: RetryPolicy;
  /** A reactor or projector retrying for longer than this makes /ready fail. */
  processorStuckAfterMs: number;
  /** Open event feeds at most, in all and per token. */
  feedMaxClients: number;
  feedMaxClientsPerToken: number;
  /** How long an Idempotency-Key is remembered before it is swept. */
  idempotencyTtlMs: number;
  /** How many Idempotency-Keys one user may hold at once. */
  idempotencyKeysPerUser: number;
  /** Commands per second (and at once) each API token may send; null: unlimited. */
  commandRateLimit: RateLimit | null;
  /** The folder of plugin folders; the built-in plugins unless a test points elsewhere. */
  pluginsDir?: string;
  /** Live ingest: where publishers connect, and how long a dropped publisher's session waits for it. */
  live: LiveConfig;
  restreams: RestreamTimings;
}

export interface LiveConfig {
  /**
   * Whether this process takes publishers (WEBENCODE_LIVE_INGEST, `on` or `off`): by default `webencode up`
   * does and `webencode kernel` does not; of the kernels that do, the one holding the restream lock of
   * their database takes them.
   */
  ingest: boolean;
  /** RTMP listen port (WEBENCODE_RTMP_PORT, default 1935); 0 takes any free port. */
  rtmpPort: number;
  /** SRT listen port, UDP (WEBENCODE_SRT_PORT, default 10080; `off`: no SRT); 0 takes any free port. */
  srtPort: number | null;
  /** Host name in the publish URLs handed out (WEBENCODE_LIVE_PUBLIC_HOST, default the listen host). */
  publicHost: string;
  /** A publisher that drops and returns within this continues its session (WEBENCODE_LIVE_RECONNECT_WINDOW, default 30s). */
  reconnectWindowMs: number;
}

export const DEFAULT_LIVE_RECONNECT_WINDOW_MS = 30_000;

/** How restream runs wait: each a duration such as 1500ms, 10s or 1m. */
export interface RestreamTimings {
  /** A live input silent this long puts the slate on air (WEBENCODE_RESTREAM_SLATE_AFTER, default 1500ms). */
  slateAfterMs: number;
  /**
   * A destination that takes no byte for this long is dropped and reconnected
   * (WEBENCODE_RESTREAM_DESTINATION_STALL, default 10s).
   */
  destinationStallMs: number;
  /** A file's start waits this long at most for its destinations to connect (WEBENCODE_RESTREAM_START_HOLD, default 5s). */
  startHoldMs: number;
  /**
   * A file read to its end waits this long at most for its destinations to take the rest
   * (WEBENCODE_RESTREAM_END_HANDOVER, default 60s).
   */
  endHandOverMs: number;
}

function restreamTimingsOf(env: NodeJS.ProcessEnv): RestreamTimings {
  const duration = (name: string, fallback: number) => {
    const ms = parseDuration(env[name], name, fallback);
    if (ms <= 0) throw new Error(`${name} must be longer than 0, got ${JSON.stringify(env[name])}`);
    return ms;
  };
  return {
    slateAfterMs: duration("WEBENCODE_RESTREAM_SLATE_AFTER", 1500),
    destinationStallMs: duration("WEBENCODE_RESTREAM_DESTINATION_STALL", 10_000),
    startHoldMs: duration("WEBENCODE_RESTREAM_START_HOLD", 5000),
    endHandOverMs: duration("WEBENCODE_RESTREAM_END_HANDOVER", 60_000),
  };
}

function portOf(value: string | undefined, name: string, fallback: number): number {
  const port = positiveInt(value, name, fallback);
  if (port > 65535) throw new Error(`${name} is at most 65535, got ${port}`);
  return port;
}

function liveConfigOf(env: NodeJS.ProcessEnv, host: string, mode: PlatformMode): LiveConfig {
  const ingest = env.WEBENCODE_LIVE_INGEST;
  if (ingest !== undefined && ingest !== "on" && ingest !== "off")
    throw new Error(`WEBENCODE_LIVE_INGEST is on or off, got ${ingest}`);
  return {
    ingest: ingest === undefined ? mode === "up" : ingest === "on",
    rtmpPort: portOf(env.WEBENCODE_RTMP_PORT, "WEBENCODE_RTMP_PORT", 1935),
    srtPort:
      env.WEBENCODE_SRT_PORT === "off" ? null : portOf(env.WEBENCODE_SRT_PORT, "WEBENCODE_SRT_PORT", 10080),
    publicHost: env.WEBENCODE_LIVE_PUBLIC_HOST || host,
    reconnectWindowMs: parseDuration(
      env.WEBENCODE_LIVE_RECONNECT_WINDOW,
      "WEBENCODE_LIVE_RECONNECT_WINDOW",
      DEFAULT_LIVE_RECONNECT_WINDOW_MS,
    ),
  };
}

/** A kernel serves many users: `webencode kernel` limits each token unless told otherwise. */
export const KERNEL_COMMAND_RATE_LIMIT: RateLimit = { perSecond: 10, burst: 50 };

export type JobStorageKind = "fs" | "s3";

function jobStorageOf(value: string | undefined): JobStorageKind {
  if (value === undefined || value === "" || value === "fs") return "fs";
  if (value === "s3") return "s3";
  throw new Error(`--job-storage (WEBENCODE_JOB_STORAGE) is fs or s3, got ${JSON.stringify(value)}`);
}

export interface ConfigFlags {
  port?: string;
  host?: string;
  data?: string;
  "media-dir"?: string;
  "storage-dir"?: string;
  "job-storage"?: string;
  workers?: string;
}

const positiveInt = (value: string | undefined, name: string, fallback: number) => {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`${name} must be a whole number, got ${JSON.stringify(value)}`);
  return n;
};

function signingSecret(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const bytes = Buffer.byteLength(value);
  if (bytes < MIN_SECRET_BYTES) {
    throw new Error(
      `WEBENCODE_SECRET is ${bytes} bytes long; it signs download links and tickets and must be at least ${MIN_SECRET_BYTES} bytes. Generate one with: openssl rand -base64 48`,
    );
  }
  return value;
}

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
  const host = flags.host ?? env.WEBENCODE_HOST ?? "127.0.0.1";
  return {
    host,
    port: positiveInt(flags.port ?? env.WEBENCODE_PORT, "--port", 8080),
    dataDir,
    mediaDir: resolve(flags["media-dir"] ?? env.WEBENCODE_MEDIA_DIR ?? "media"),
    storageDir: resolve(flags["storage-dir"] ?? env.WEBENCODE_STORAGE_DIR ?? join(dataDir, "storage")),
    jobStorage: jobStorageOf(flags["job-storage"] ?? env.WEBENCODE_JOB_STORAGE),
    secret: signingSecret(env.WEBENCODE_SECRET),
    adminToken: env.WEBENCODE_ADMIN_TOKEN || undefined,
    maxUploadBytes: positiveInt(env.WEBENCODE_MAX_UPLOAD_BYTES, "WEBENCODE_MAX_UPLOAD_BYTES", 20 * 1024 ** 3),
    workers: positiveInt(flags.workers ?? env.WEBENCODE_WORKERS, "--workers", 1),
    stallTimeoutMs: positiveInt(env.WEBENCODE_STALL_TIMEOUT_MS, "WEBENCODE_STALL_TIMEOUT_MS", 60_000),
    heartbeatIntervalMs: Math.max(
      100,
      positiveInt(env.WEBENCODE_HEARTBEAT_MS, "WEBENCODE_HEARTBEAT_MS", HEARTBEAT_INTERVAL_MS),
    ),
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
    processorRetry: {
      maxAttempts: Math.max(
        1,
        positiveInt(env.WEBENCODE_PROCESSOR_ATTEMPTS, "WEBENCODE_PROCESSOR_ATTEMPTS", 5),
      ),
      firstDelayMs: positiveInt(env.WEBENCODE_PROCESSOR_RETRY_MS, "WEBENCODE_PROCESSOR_RETRY_MS", 500),
      maxDelayMs: 30_000,
    },
    processorStuckAfterMs: positiveInt(
      env.WEBENCODE_PROCESSOR_STUCK_AFTER_MS,
      "WEBENCODE_PROCESSOR_STUCK_AFTER_MS",
      30_000,
    ),
    segmentBounds: segmentBoundsOf(env.WEBENCODE_SEGMENT_SECONDS),
    failedRetentionMs: parseDuration(
      env.WEBENCODE_FAILED_RETENTION,
      "WEBENCODE_FAILED_RETENTION",
      DEFAULT_FAILED_RETENTION_MS,
    ),
    sweepIntervalMs: parseDuration(
      env.WEBENCODE_SWEEP_INTERVAL,
      "WEBENCODE_SWEEP_INTERVAL",
      DEFAULT_SWEEP_INTERVAL_MS,
    ),
    feedMaxClients: positiveInt(env.WEBENCODE_FEED_MAX_CLIENTS, "WEBENCODE_FEED_MAX_CLIENTS", 10_000),
    feedMaxClientsPerToken: positiveInt(
      env.WEBENCODE_FEED_MAX_CLIENTS_PER_TOKEN,
      "WEBENCODE_FEED_MAX_CLIENTS_PER_TOKEN",
      20,
    ),
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
    live: liveConfigOf(env, host, mode),
    restreams: restreamTimingsOf(env),
  };
}

function segmentBoundsOf(value: string | undefined): SegmentBounds {
  if (value === undefined || value === "") return defaultSegmentBounds;
  const [minSec, targetSec, maxSec] = value.split(":").map(Number);
  const bounds = {
    minSec: minSec ?? Number.NaN,
    targetSec: targetSec ?? Number.NaN,
    maxSec: maxSec ?? Number.NaN,
  };
  const problem = segmentBoundsProblem(bounds);
  if (problem !== null || value.split(":").length !== 3) {
    throw new Error(
      `WEBENCODE_SEGMENT_SECONDS must be min:target:max in seconds, e.g. 10:45:120 (got ${value})${problem ? `: ${problem.message}` : ""}`,
    );
  }
  return bounds;
}
