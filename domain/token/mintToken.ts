// API tokens look like `we_<token id, 32 hex digits>_<secret, 32 base64url characters>`: a token names
// its own id, so it is found by key, never by scanning hashes. Only `hash` is ever stored.
import { createHmac } from "node:crypto";

/** 24 random bytes: 192 bits, exactly 32 base64url characters. */
export const TOKEN_SECRET_BYTES = 24;

const TOKEN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The key token hashes are made with: derived from the platform's signing secret, never stored. */
export type TokenHashKey = Uint8Array;

export interface MintedToken {
  /** Shown once, to whoever asked for the token. */
  token: string;
  /** "hmac-sha256:<hex>" of the whole token. */
  hash: string;
  /** The token's first 8 characters, to tell tokens apart in lists. */
  prefix: string;
}

/** The key of token hashes for a platform signing secret; its own label keeps it apart from other uses. */
export const tokenHashKey = (signingSecret: string): TokenHashKey =>
  new TextEncoder().encode(`token-hash:${signingSecret}`);

/** What lists show of a token: "we_" and the first 5 hex digits of its id (a minted token's first 8 characters). */
export const tokenPrefix = (tokenId: string): string => `we_${tokenId.replaceAll("-", "")}`.slice(0, 8);

/**
 * The keyed hash of a token as events store it. Keyed, because a preset secret is chosen by a person:
 * whoever reads the event log cannot test guesses against it without the platform's secret as well.
 */
export const hashToken = (token: string, key: TokenHashKey): string =>
  `hmac-sha256:${createHmac("sha256", key).update(token, "utf8").digest("hex")}`;

export function mintToken(tokenId: string, randomBytes: Uint8Array, key: TokenHashKey): MintedToken {
  if (!TOKEN_ID.test(tokenId)) throw new RangeError(`token id must be a lowercase UUID, got ${tokenId}`);
  if (randomBytes.length !== TOKEN_SECRET_BYTES) {
    throw new RangeError(
      `a token secret needs ${TOKEN_SECRET_BYTES} random bytes, got ${randomBytes.length}`,
    );
  }
  const secret = Buffer.from(randomBytes).toString("base64url");
  const token = `we_${tokenId.replaceAll("-", "")}_${secret}`;
  return { token, hash: hashToken(token, key), prefix: tokenPrefix(tokenId) };
}
