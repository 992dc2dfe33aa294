// Idempotency-Key on POST: the same key with the same request returns the first response (a retried
// request never submits twice); the same key with another request is refused with 422. Keys are
// scoped per user and kept `ttlMs` (24 hours), then swept. Only successful answers are kept: an error
// (a refused role included) leaves no row, so it can be retried and cannot fill the table. An answer
// marked `Cache-Control: no-store` (it carries a secret) is never stored: the route may offer a
// secret-free answer to replay instead. Streaming routes are not buffered to hash them: they run as if
// the header were absent.
import { createHash } from "node:crypto";
import { createMiddleware } from "hono/factory";
import type pg from "pg";
import { ApiError } from "./apiError.ts";
import type { HttpEnv } from "./httpEnv.ts";

// the kernel applies these with the other migrations (infra/postgres/migrate.ts)
export const idempotencyMigrations = (schema: string): { id: string; sql: string }[] => [
  {
    id: "commands-001-idempotency-keys",
    sql: `create table "${schema}".idempotency_keys (
            scope text primary key,
            request_hash text not null,
            status int,
            body text,
            headers jsonb,
            created_at timestamptz not null default now()
          );
          create index idempotency_keys_created on "${schema}".idempotency_keys (created_at);`,
  },
  {
    id: "commands-002-idempotency-keys-user",
    sql: `alter table "${schema}".idempotency_keys add column user_id text;
          create index idempotency_keys_user on "${schema}".idempotency_keys (user_id, created_at);`,
  },
];

export interface IdempotencyOptions {
  /** How long a key is remembered. Default 24 hours. */
  ttlMs?: number;
  /** How many keys one user may hold at once; beyond, 429 WE-SYS-005. Default 10,000. */
  maxKeysPerUser?: number;
}

export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const DEFAULT_MAX_KEYS_PER_USER = 10_000;
const REPLAYED_HEADERS = ["content-type", "location", "x-webencode-position", "cache-control"];

const NO_STORE = /(^|[\s,])no-store($|[\s,])/i;

const tableOf = (schema: string) => `"${schema}".idempotency_keys`;

export function idempotency(pool: pg.Pool, schema: string, options: IdempotencyOptions = {}) {
  const table = tableOf(schema);
  const ttlSeconds = (options.ttlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS) / 1000;
  const maxKeys = options.maxKeysPerUser ?? DEFAULT_MAX_KEYS_PER_USER;
  const forget = (scope: string) => pool.query(`delete from ${table} where scope = $1`, [scope]);

  return createMiddleware<HttpEnv>(async (c, next) => {
    const key = c.req.header("idempotency-key");
    if (c.req.method !== "POST" || key === undefined || c.get("streamingBody")) return next();
    if (key.length === 0 || key.length > 255) {
      throw new ApiError("WE-JOB-001", "Idempotency-Key must be 1 to 255 characters");
    }
    const body = await c.req.text();
    const hash = createHash("sha256").update(`${c.req.method} ${c.req.path}\n${body}`).digest("hex");
    const { userId } = c.var.actor;
    const scope = `${userId}:${key}`;
    await pool.query(
      `delete from ${table} where scope = $1 and created_at < now() - make_interval(secs => $2)`,
      [scope, ttlSeconds],
    );
    const claimed = await pool.query(
      `insert into ${table} (scope, request_hash, user_id)
       select $1, $2, $3
        where (select count(*) from ${table} where user_id = $3) < $4
       on conflict do nothing returning scope`,
      [scope, hash, userId, maxKeys],
    );
    if (claimed.rowCount === 0) {
      const { rows } = await pool.query<{
        request_hash: string;
        status: number | null;
        body: string;
        headers: Record<string, string>;
      }>(`select request_hash, status, body, headers from ${table} where scope = $1`, [scope]);
      const first = rows[0];
      if (!first) {
        const { rows: held } = await pool.query<{ n: number }>(
          `select count(*)::int as n from ${table} where user_id = $1`,
          [userId],
        );
        if ((held[0]?.n ?? 0) >= maxKeys) {
          throw new ApiError("WE-SYS-005", `this user holds ${maxKeys} Idempotency-Keys already`, {
            hint: "Send it without Idempotency-Key, or wait until older keys expire",
          });
        }
        throw new ApiError(
          "WE-SYS-004",
          "the first request with this Idempotency-Key just failed; send it again",
        );
      }
      if (first.request_hash !== hash) {
        throw new ApiError("WE-JOB-001", "this Idempotency-Key was used with a different request", {
          status: 422,
          hint: "Use a new key for a new request",
        });
      }
      if (first.status === null) {
        throw new ApiError(
          "WE-SYS-004",
          "the first request with this Idempotency-Key is still being processed",
          {
            status: 409,
            hint: "Wait a moment and send it again",
          },
        );
      }
      return c.body(first.body, first.status as 200, { ...first.headers, "Idempotent-Replayed": "true" });
    }
    try {
      await next();
    } catch (error) {
      await forget(scope);
      throw error;
    }
    if (c.res.status >= 400) {
      await forget(scope);
      return;
    }
    const secret = NO_STORE.test(c.res.headers.get("cache-control") ?? "");
    const storable = secret ? c.get("storableAnswer") : { status: c.res.status, body: undefined };
    if (storable === undefined) {
      await forget(scope);
      return;
    }
    const text = storable.body === undefined ? await c.res.clone().text() : JSON.stringify(storable.body);
    const headers = Object.fromEntries(
      REPLAYED_HEADERS.flatMap((h) => {
        const value = c.res.headers.get(h);
        return value === null ? [] : [[h, value]];
      }),
    );
    await pool.query(`update ${table} set status = $2, body = $3, headers = $4 where scope = $1`, [
      scope,
      storable.status,
      text,
      JSON.stringify(headers),
    ]);
  });
}

/** Deletes every key older than `ttlMs`; returns how many went. */
export async function sweepIdempotencyKeys(pool: pg.Pool, schema: string, ttlMs: number): Promise<number> {
  const { rowCount } = await pool.query(
    `delete from ${tableOf(schema)} where created_at < now() - make_interval(secs => $1)`,
    [ttlMs / 1000],
  );
  return rowCount ?? 0;
}

/** Sweeps expired keys now and then every `everyMs` (default: a quarter of the TTL, 1 s to 1 h). */
export function startIdempotencySweeper(options: {
  pool: pg.Pool;
  schema: string;
  ttlMs: number;
  everyMs?: number;
  log?: (message: string) => void;
}): { stop(): void } {
  const { pool, schema, ttlMs } = options;
  const everyMs = options.everyMs ?? Math.min(Math.max(ttlMs / 4, 1000), 3_600_000);
  const sweep = () =>
    sweepIdempotencyKeys(pool, schema, ttlMs).catch((error: Error) =>
      options.log?.(`idempotency keys not swept: ${error.message}`),
    );
  void sweep();
  const timer = setInterval(sweep, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
