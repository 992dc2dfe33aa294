import { describe, expect, it } from "vitest";
import { createSignedUrlSigner } from "./signedUrl.ts";

describe("signed download URLs", () => {
  let now = new Date("2026-11-24T12:00:00Z");
  const signer = createSignedUrlSigner("secret", () => now);
  const parts = (path: string) =>
    Object.fromEntries(new URL(path, "http://x").searchParams) as Record<string, string>;

  it("is valid until it expires, then expired", () => {
    const { path, expiresAt } = signer.sign("outputs/a/a_final.mp4", 60);
    expect(expiresAt.toISOString()).toBe("2026-11-24T12:01:00.000Z");
    const { key, expires, signature } = parts(path);
    expect(signer.verify(key!, expires!, signature!)).toBe("valid");
    now = new Date("2026-11-24T12:01:01Z");
    expect(signer.verify(key!, expires!, signature!)).toBe("expired");
  });

  it("refuses another key, a later expiry, a changed signature or another secret", () => {
    now = new Date("2026-11-24T12:00:00Z");
    const { key, expires, signature } = parts(signer.sign("outputs/a/a_final.mp4").path);
    expect(signer.verify("outputs/b/b_final.mp4", expires!, signature!)).toBe("invalid");
    expect(signer.verify(key!, String(Number(expires) + 3600), signature!)).toBe("invalid");
    const flipped = `${signature!.slice(0, -1)}${signature!.endsWith("A") ? "B" : "A"}`;
    expect(signer.verify(key!, expires!, flipped)).toBe("invalid");
    expect(createSignedUrlSigner("other", () => now).verify(key!, expires!, signature!)).toBe("invalid");
  });
});
