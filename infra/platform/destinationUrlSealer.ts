// AES-256-GCM sealing of restream destination URLs under a key derived (HKDF-SHA256) from the platform
// secret: `v1.{iv}.{tag}.{ciphertext}`, each part base64url. The masked form is made beside it.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import type { DestinationUrlSealer } from "../../domain/ports/destinationUrlSealer.ts";
import { maskDestinationUrl } from "../../domain/restream/destinationUrl.ts";

export function destinationUrlSealer(platformSecret: string): DestinationUrlSealer {
  const key = Buffer.from(hkdfSync("sha256", platformSecret, "webencode", "restream destination url v1", 32));
  return {
    seal(url) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      const ciphertext = Buffer.concat([cipher.update(url, "utf8"), cipher.final()]);
      const parts = [iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString("base64url"));
      return { masked: maskDestinationUrl(url), sealed: `v1.${parts.join(".")}` };
    },
    open({ sealed }) {
      const [version, iv, tag, ciphertext] = sealed.split(".");
      if (version !== "v1" || iv === undefined || tag === undefined || ciphertext === undefined) {
        throw new Error("not a sealed destination URL");
      }
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext, "base64url")),
        decipher.final(),
      ]).toString("utf8");
    },
  };
}
