// Download links that carry their own permission: an HMAC over the storage key and an expiry, so a
// browser or a player can fetch an output without a bearer token, and only until the link expires.
import { createHmac, timingSafeEqual } from "node:crypto";

export interface SignedUrlSigner {
  sign(key: string, ttlSeconds?: number): { path: string; expiresAt: Date };
  verify(key: string, expires: string, signature: string): "valid" | "expired" | "invalid";
}

export function createSignedUrlSigner(secret: string, now: () => Date = () => new Date()): SignedUrlSigner {
  const mac = (key: string, expires: string) =>
    createHmac("sha256", secret).update(`${key}\n${expires}`).digest("base64url");
  return {
    sign(key, ttlSeconds = 3600) {
      const expiresAt = new Date(now().getTime() + ttlSeconds * 1000);
      const expires = String(Math.floor(expiresAt.getTime() / 1000));
      const query = new URLSearchParams({ key, expires, signature: mac(key, expires) });
      return { path: `/v1/files/download?${query}`, expiresAt };
    },
    verify(key, expires, signature) {
      const expected = Buffer.from(mac(key, expires));
      const given = Buffer.from(signature);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) return "invalid";
      return Number(expires) * 1000 < now().getTime() ? "expired" : "valid";
    },
  };
}
