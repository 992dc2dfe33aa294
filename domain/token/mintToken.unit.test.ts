import { createHash, randomBytes, randomUUID } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { tokenIdSchema } from "../../schemas/events/tokenEvents.ts";
import { hashToken, mintToken, TOKEN_SECRET_BYTES, tokenHashKey } from "./mintToken.ts";
import { presetTokenId, tokenIdOf } from "./tokenIdOf.ts";
import { verifyTokenHash } from "./verifyTokenHash.ts";

const tokenId = "5b0c7f0e-8d7a-4c51-9a3e-2f6d1c0b9e11";
const bytes = Uint8Array.from({ length: TOKEN_SECRET_BYTES }, (_, i) => i * 7);
const key = tokenHashKey("the platform's signing secret");

describe("mintToken", () => {
  it("formats we_<id without dashes>_<32 base64url chars> and hashes the whole token", () => {
    const minted = mintToken(tokenId, bytes, key);
    expect(minted.token).toMatch(/^we_5b0c7f0e8d7a4c519a3e2f6d1c0b9e11_[A-Za-z0-9_-]{32}$/);
    expect(minted.prefix).toBe("we_5b0c7");
    expect(minted.prefix).toBe(minted.token.slice(0, 8));
    expect(minted.hash).toBe(hashToken(minted.token, key));
    expect(minted.hash).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(minted.hash).not.toContain(minted.token.slice(-32));
  });

  it("stores a hash keyed by the platform secret, not the plain sha256 of the token", () => {
    const minted = mintToken(tokenId, bytes, key);
    const sha256 = createHash("sha256").update(minted.token).digest("hex");
    expect(minted.hash).not.toContain(sha256);
    // the same token under another platform's key: another hash, and neither verifies under the other
    const elsewhere = tokenHashKey("another platform's signing secret");
    expect(hashToken(minted.token, elsewhere)).not.toBe(minted.hash);
    expect(verifyTokenHash(minted.token, minted.hash, elsewhere)).toBe("Mismatch");
  });

  it("is pure given the bytes: the same bytes mint the same token, other bytes another", () => {
    expect(mintToken(tokenId, bytes, key)).toEqual(mintToken(tokenId, Uint8Array.from(bytes), key));
    const other = Uint8Array.from(bytes);
    other[0] = 1;
    expect(mintToken(tokenId, other, key).token).not.toBe(mintToken(tokenId, bytes, key).token);
  });

  it("refuses too few random bytes and ids that are no lowercase UUID", () => {
    expect(() => mintToken(tokenId, bytes.subarray(1), key)).toThrow(RangeError);
    expect(() => mintToken(tokenId.toUpperCase(), bytes, key)).toThrow(RangeError);
    expect(() => mintToken("t-1", bytes, key)).toThrow(RangeError);
  });

  it("names its own id, verifies against its own hash only, for any id and bytes", () => {
    fc.assert(
      fc.property(
        fc.uuid().map((id) => id.toLowerCase()),
        fc.uint8Array({ minLength: TOKEN_SECRET_BYTES, maxLength: TOKEN_SECRET_BYTES }),
        (id, secret) => {
          const minted = mintToken(id, secret, key);
          expect(minted.token).toMatch(/^we_[0-9a-f]{32}_[A-Za-z0-9_-]{32}$/);
          expect(tokenIdOf(minted.token)).toBe(id);
          expect(verifyTokenHash(minted.token, minted.hash, key)).toBe("Matches");
          const other = mintToken(randomUUID(), randomBytes(TOKEN_SECRET_BYTES), key);
          expect(verifyTokenHash(minted.token, other.hash, key)).toBe("Mismatch");
        },
      ),
    );
  });
});

describe("verifyTokenHash", () => {
  const { token, hash } = mintToken(tokenId, bytes, key);

  it("refuses a token with any one character changed", () => {
    for (let i = 0; i < token.length; i++) {
      const changed = token.slice(0, i) + (token[i] === "A" ? "B" : "A") + token.slice(i + 1);
      expect(verifyTokenHash(changed, hash, key)).toBe("Mismatch");
    }
  });

  it("still recognises the unkeyed sha256 hash of a token issued before keys, as legacy", () => {
    const legacy = `sha256:${createHash("sha256").update(token).digest("hex")}`;
    expect(verifyTokenHash(token, legacy, key)).toBe("MatchesLegacy");
    expect(verifyTokenHash(`${token.slice(0, -1)}x`, legacy, key)).toBe("Mismatch");
  });

  it("refuses a stored hash it cannot read instead of throwing", () => {
    expect(verifyTokenHash(token, hash.slice(7), key)).toBe("Mismatch");
    expect(verifyTokenHash(token, `${hash}00`, key)).toBe("Mismatch");
    expect(verifyTokenHash(token, "", key)).toBe("Mismatch");
  });
});

describe("tokenIdOf", () => {
  it("derives a stable id for a preset secret of 24 or more visible characters", () => {
    const secret = "correct-horse-battery-staple-42";
    const id = tokenIdOf(secret);
    expect(id).toBe(presetTokenId(secret));
    expect(tokenIdOf(secret)).toBe(id);
    expect(tokenIdSchema.safeParse(id).success).toBe(true);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(tokenIdOf(`${secret}!`)).not.toBe(id);
  });

  it("claims no id for what cannot be a token", () => {
    expect(tokenIdOf("")).toBeNull();
    expect(tokenIdOf("x".repeat(23))).toBeNull();
    expect(tokenIdOf("has a space in the middle of it")).toBeNull();
    expect(tokenIdOf("x".repeat(513))).toBeNull();
    expect(tokenIdOf("é".repeat(30))).toBeNull();
  });

  it("treats a token-like string of the wrong shape as a preset secret, never as the id it spells", () => {
    const { token } = mintToken(tokenId, bytes, key);
    expect(tokenIdOf(`${token}x`)).toBe(presetTokenId(`${token}x`));
    expect(tokenIdOf(token.toUpperCase())).not.toBe(tokenId);
  });
});
