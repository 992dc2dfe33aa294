// Checks a bearer secret against a stored hash: the keyed "hmac-sha256:" of today, or the unkeyed
// "sha256:" that tokens issued before it still carry (`MatchesLegacy`: re-hash it while the secret is in hand).
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { TokenHashKey } from "./mintToken.ts";

export type TokenHashCheck = "Matches" | "MatchesLegacy" | "Mismatch";

const STORED_HASH = /^(hmac-sha256|sha256):([0-9a-f]{64})$/;

/**
 * Compares digests of equal length with timingSafeEqual: how long it takes says nothing of how much of
 * a guess was right. A malformed hash is still compared against, so it costs what any other check does.
 */
export function verifyTokenHash(token: string, hash: string, key: TokenHashKey): TokenHashCheck {
  const stored = STORED_HASH.exec(hash);
  const legacy = stored?.[1] === "sha256";
  const actual = legacy
    ? createHash("sha256").update(token, "utf8").digest()
    : createHmac("sha256", key).update(token, "utf8").digest();
  const expected = stored ? Buffer.from(stored[2]!, "hex") : Buffer.alloc(actual.length);
  const equal = timingSafeEqual(actual, expected);
  if (!stored || !equal) return "Mismatch";
  return legacy ? "MatchesLegacy" : "Matches";
}
