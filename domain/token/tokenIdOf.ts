// Which token a bearer secret claims to be. A minted token names its id; a preset secret (an operator's
// own WEBENCODE_ADMIN_TOKEN: 24 to 512 visible ASCII characters) maps to an id derived from it, so
// either is found by key. The claim means nothing until the hash matches.
import { createHash } from "node:crypto";

const MINTED = /^we_([0-9a-f]{32})_[A-Za-z0-9_-]{32}$/;
const PRESET = /^[\x21-\x7e]{24,512}$/;

const dashed = (hex: string) =>
  `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;

/** The id of a preset secret: a version-8 UUID from its sha256, so the same secret keeps its id. */
export function presetTokenId(secret: string): string {
  const digest = createHash("sha256").update(`webencode-preset-token-id\0${secret}`, "utf8").digest();
  digest[6] = (digest[6]! & 0x0f) | 0x80;
  digest[8] = (digest[8]! & 0x3f) | 0x80;
  return dashed(digest.subarray(0, 16).toString("hex"));
}

/** The token id a secret claims, or null when it is no token at all. */
export function tokenIdOf(secret: string): string | null {
  const minted = MINTED.exec(secret);
  if (minted) return dashed(minted[1]!);
  return PRESET.test(secret) ? presetTokenId(secret) : null;
}
