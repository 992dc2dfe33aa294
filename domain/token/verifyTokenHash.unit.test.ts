// Constant time, proven by what runs rather than by a stopwatch: every check, whatever its outcome,
// ends in exactly one timingSafeEqual of two 32-byte digests and in no other comparison of secrets.
import * as crypto from "node:crypto";
import { createHash } from "node:crypto";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { mintToken, TOKEN_SECRET_BYTES, tokenHashKey } from "./mintToken.ts";
import { verifyTokenHash } from "./verifyTokenHash.ts";

vi.mock("node:crypto", async (original) => {
  const actual = await original<typeof import("node:crypto")>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const key = tokenHashKey("the platform's signing secret");
const tokenId = "5b0c7f0e-8d7a-4c51-9a3e-2f6d1c0b9e11";
const { token, hash } = mintToken(tokenId, new Uint8Array(TOKEN_SECRET_BYTES).fill(9), key);
const legacy = `sha256:${createHash("sha256").update(token).digest("hex")}`;
const flip = (stored: string, at: number) =>
  stored.slice(0, at) + (stored[at] === "0" ? "1" : "0") + stored.slice(at + 1);

describe("verifyTokenHash runs in constant time", () => {
  beforeEach(() => {
    vi.mocked(crypto.timingSafeEqual).mockClear();
  });

  it.each([
    ["a match", token, hash, "Matches"],
    ["a legacy match", token, legacy, "MatchesLegacy"],
    ["a hash wrong in its first digit", token, flip(hash, "hmac-sha256:".length), "Mismatch"],
    ["a hash wrong in its last digit", token, flip(hash, hash.length - 1), "Mismatch"],
    ["another token", `${token.slice(0, -1)}x`, hash, "Mismatch"],
    ["a hash it cannot read", token, "sha256:short", "Mismatch"],
  ])("%s: one timingSafeEqual over two whole digests", (_, secret, stored, outcome) => {
    expect(verifyTokenHash(secret, stored, key)).toBe(outcome);
    const calls = vi.mocked(crypto.timingSafeEqual).mock.calls;
    expect(calls).toHaveLength(1);
    const [actual, expected] = calls[0]! as [Buffer, Buffer];
    expect([actual.length, expected.length]).toEqual([32, 32]);
  });
});
