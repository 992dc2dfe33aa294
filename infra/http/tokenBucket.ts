// A token bucket as a value: `burst` requests at once, refilled at `perSecond`. Pure: the time comes in.
export interface RateLimit {
  /** Requests per second, sustained. */
  perSecond: number;
  /** Requests allowed at once after a quiet spell. */
  burst: number;
}

export interface TokenBucket {
  tokens: number;
  /** When `tokens` was counted, in milliseconds. */
  at: number;
}

export type Taken =
  | { _tag: "Allowed"; bucket: TokenBucket }
  | { _tag: "Limited"; bucket: TokenBucket; retryAfterMs: number };

/** The bucket refilled up to `nowMs`, without taking from it. */
export const refill = (bucket: TokenBucket, nowMs: number, limit: RateLimit): TokenBucket => ({
  tokens: Math.min(limit.burst, bucket.tokens + (Math.max(0, nowMs - bucket.at) / 1000) * limit.perSecond),
  at: Math.max(bucket.at, nowMs),
});

/** Takes one request's token from `bucket` (a full one when there is none yet). */
export function takeToken(bucket: TokenBucket | undefined, nowMs: number, limit: RateLimit): Taken {
  const current = refill(bucket ?? { tokens: limit.burst, at: nowMs }, nowMs, limit);
  if (current.tokens >= 1) return { _tag: "Allowed", bucket: { ...current, tokens: current.tokens - 1 } };
  return {
    _tag: "Limited",
    bucket: current,
    retryAfterMs: Math.ceil(((1 - current.tokens) / limit.perSecond) * 1000),
  };
}
