// Rate limits commands (POST, PUT, PATCH, DELETE) per actor: one token bucket per API token (or user,
// for an actor without one). Beyond it: 429 WE-SYS-005 with Retry-After in whole seconds. Queries are
// not limited here: they read indexed read models and are what dashboards poll.
import { createMiddleware } from "hono/factory";
import { ApiError } from "./apiError.ts";
import type { HttpEnv } from "./httpEnv.ts";
import { type RateLimit, refill, type TokenBucket, takeToken } from "./tokenBucket.ts";

const COMMAND_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
/** Beyond this many actors in memory, buckets that have refilled (idle actors) are dropped. */
const MAX_BUCKETS = 10_000;

export function commandRateLimit(limit: RateLimit, now: () => number = () => performance.now()) {
  const buckets = new Map<string, TokenBucket>();

  function dropIdle(at: number) {
    for (const [actor, bucket] of buckets) {
      if (refill(bucket, at, limit).tokens >= limit.burst) buckets.delete(actor);
    }
  }

  return createMiddleware<HttpEnv>(async (c, next) => {
    if (!COMMAND_METHODS.has(c.req.method)) return next();
    const { actor } = c.var;
    const key = actor.tokenId === undefined ? `user:${actor.userId}` : `token:${actor.tokenId}`;
    const at = now();
    if (buckets.size >= MAX_BUCKETS && !buckets.has(key)) dropIdle(at);
    const taken = takeToken(buckets.get(key), at, limit);
    buckets.set(key, taken.bucket);
    if (taken._tag === "Limited") {
      const seconds = Math.max(1, Math.ceil(taken.retryAfterMs / 1000));
      c.header("Retry-After", String(seconds));
      throw new ApiError(
        "WE-SYS-005",
        `this token may send ${limit.perSecond} commands per second (${limit.burst} at once)`,
        { hint: `Wait ${seconds} s and send it again` },
      );
    }
    await next();
  });
}
