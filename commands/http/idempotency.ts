// Idempotency-Key on POST: the same key with the same request returns the first response (a retried
// request never submits twice); the same key with another request is refused with 422. Keys are
// scoped per user and kept 24 hours. Server errors are not remembered, so they can be retried.
import { createHash } from "node:crypto";
import { createMiddleware } from "hono/factory";
import type pg from "pg";
import type { Migration } from "../../infra/postgres/migrate.ts";
import { ApiError } from "./apiError.ts";
import type { HttpEnv } from "./httpEnv.ts";

export const idempotencyMigrations = (schema: string): Migration[] => [
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
];

const REPLAYED_HEADERS = ["content-type", "location", "x-webencode-position"];
const TTL = "24 hours";

export function idempotency(pool: pg.Pool, schema: string) {
  const table = `"${schema}".idempotency_keys`;
  return createMiddleware<HttpEnv>(async (c, next) => {
    const key = c.req.header("idempotency-key");
    if (c.req.method !== "POST" || key === undefined) return next();
    if (key.length === 0 || key.length > 255) {
      throw new ApiError("WE-JOB-001", "Idempotency-Key must be 1 to 255 characters");
    }
    const body = await c.req.text();
    const hash = createHash("sha256").update(`${c.req.method} ${c.req.path}\n${body}`).digest("hex");
    const scope = `${c.var.actor.userId}:${key}`;
    await pool.query(`delete from ${table} where scope = $1 and created_at < now() - interval '${TTL}'`, [
      scope,
    ]);
    const claimed = await pool.query(
      `insert into ${table} (scope, request_hash) values ($1, $2) on conflict do nothing returning scope`,
      [scope, hash],
    );
    if (claimed.rowCount === 0) {
      const { rows } = await pool.query<{
        request_hash: string;
        status: number | null;
        body: string;
        headers: Record<string, string>;
      }>(`select request_hash, status, body, headers from ${table} where scope = $1`, [scope]);
      const first = rows[0];
      if (!first)
        throw new ApiError(
          "WE-SYS-004",
          "the first request with this Idempotency-Key just failed; send it again",
        );
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
      await pool.query(`delete from ${table} where scope = $1`, [scope]);
      throw error;
    }
    if (c.res.status >= 500) {
      await pool.query(`delete from ${table} where scope = $1`, [scope]);
      return;
    }
    const text = await c.res.clone().text();
    const headers = Object.fromEntries(
      REPLAYED_HEADERS.flatMap((h) => {
        const value = c.res.headers.get(h);
        return value === null ? [] : [[h, value]];
      }),
    );
    await pool.query(`update ${table} set status = $2, body = $3, headers = $4 where scope = $1`, [
      scope,
      c.res.status,
      text,
      JSON.stringify(headers),
    ]);
  });
}
