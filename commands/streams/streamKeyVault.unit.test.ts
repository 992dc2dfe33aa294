import { describe, expect, it } from "vitest";
import { streamEventSchema } from "../../schemas/events/streamEvents.ts";
import { createStreamKeyVault } from "./streamKeyVault.ts";

describe("stream key vault", () => {
  const vault = createStreamKeyVault("a platform secret of enough length, 32+ chars");

  it("generates live_ keys of 32 url-safe characters, sealed so only the platform's secret opens them", () => {
    const key = vault.generate();
    expect(key).toMatch(/^live_[A-Za-z0-9_-]{32}$/);
    const stored = vault.store(key);
    expect(JSON.stringify(stored)).not.toContain(key.slice(5));
    expect(stored.keyHint).toBe(key.slice(-4));
    expect(vault.open(stored.sealedKey)).toBe(key);
    expect(vault.store(key).sealedKey).not.toBe(stored.sealedKey);
    expect(() =>
      createStreamKeyVault("another platform's secret, 32+ chars").open(stored.sealedKey),
    ).toThrow();
    const event = {
      type: "StreamKeyRotated",
      data: { streamId: "3f2b1a9e-8c4d-4e6f-9a1b-2c3d4e5f6a7b", ...stored },
    };
    expect(streamEventSchema.safeParse(event).success).toBe(true);
  });

  it("hashes a key the same each time, and differently under another secret", () => {
    const custom = "my-own-key-123456789";
    expect(vault.hash(custom)).toBe(vault.store(custom).keyHash);
    expect(vault.hash(custom)).not.toBe(
      createStreamKeyVault("another platform's secret, 32+ chars").hash(custom),
    );
    expect(vault.store("x".repeat(64)).sealedKey.length).toBeLessThan(200);
  });
});
