// Stream keys kept secret: the log holds a keyed hash (what a publisher's key is looked up by) and the
// key sealed with AES-256-GCM (what the dashboard's reveal opens), both under keys derived from the
// platform's secret, each with its own label.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from "node:crypto";
import type { StoredStreamKey } from "../../domain/stream/streamCommands.ts";

export interface StreamKeyVault {
  /** A new key: `live_` and 32 url-safe random characters. */
  generate(): string;
  hash(streamKey: string): string;
  /** What the events keep of a key. */
  store(streamKey: string): StoredStreamKey;
  /** The key in clear again, from what the events keep. */
  open(sealedKey: string): string;
}

const derive = (secret: string, label: string) =>
  Buffer.from(hkdfSync("sha256", secret, "webencode", label, 32));

export function createStreamKeyVault(platformSecret: string): StreamKeyVault {
  const hashKey = derive(platformSecret, "stream-key-hash");
  const sealKey = derive(platformSecret, "stream-key-seal");
  const hash = (streamKey: string) =>
    `hmac-sha256:${createHmac("sha256", hashKey).update(streamKey, "utf8").digest("hex")}`;
  return {
    generate: () => `live_${randomBytes(24).toString("base64url")}`,
    hash,
    store(streamKey) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", sealKey, iv);
      const sealed = Buffer.concat([cipher.update(streamKey, "utf8"), cipher.final()]);
      const parts = [iv, sealed, cipher.getAuthTag()].map((part) => part.toString("base64url"));
      return {
        keyHash: hash(streamKey),
        sealedKey: `aes-256-gcm:${parts.join(".")}`,
        keyHint: streamKey.slice(-4),
      };
    },
    open(sealedKey) {
      const [iv, sealed, tag] = sealedKey.replace(/^aes-256-gcm:/, "").split(".");
      if (iv === undefined || sealed === undefined || tag === undefined)
        throw new Error("not a sealed stream key");
      const decipher = createDecipheriv("aes-256-gcm", sealKey, Buffer.from(iv, "base64url"));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([decipher.update(Buffer.from(sealed, "base64url")), decipher.final()]).toString(
        "utf8",
      );
    },
  };
}
