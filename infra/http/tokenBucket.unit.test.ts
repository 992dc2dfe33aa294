import { describe, expect, it } from "vitest";
import { type TokenBucket, takeToken } from "./tokenBucket.ts";

const limit = { perSecond: 2, burst: 3 };

describe("takeToken", () => {
  it("allows a burst, then refuses with the time until the next token, then refills at the rate", () => {
    let bucket: TokenBucket | undefined;
    for (let i = 0; i < 3; i++) {
      const taken = takeToken(bucket, 1000, limit);
      expect(taken._tag).toBe("Allowed");
      bucket = taken.bucket;
    }
    expect(takeToken(bucket, 1000, limit)).toMatchObject({ _tag: "Limited", retryAfterMs: 500 });
    expect(takeToken(bucket, 1250, limit)).toMatchObject({ _tag: "Limited", retryAfterMs: 250 });
    const later = takeToken(bucket, 1500, limit);
    expect(later._tag).toBe("Allowed");
    // a long quiet spell refills to the burst, never beyond
    expect(takeToken(later.bucket, 60_000, limit).bucket.tokens).toBe(2);
  });

  it("does not refill when the clock goes backwards", () => {
    const taken = takeToken({ tokens: 0, at: 5000 }, 4000, limit);
    expect(taken).toMatchObject({ _tag: "Limited", bucket: { tokens: 0, at: 5000 } });
  });
});
