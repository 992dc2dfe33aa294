import { createHash, timingSafeEqual } from "node:crypto";

const STORED_HASH = /^sha256:([0-9a-f]{64})$/;

/** Whether `token` is the secret behind a stored "sha256:<hex>" hash, compared in constant time. */
export function verifyTokenHash(token: string, hash: string): boolean {
  const stored = STORED_HASH.exec(hash);
  if (!stored) return false;
  const actual = createHash("sha256").update(token, "utf8").digest();
  return timingSafeEqual(actual, Buffer.from(stored[1]!, "hex"));
}
