import { describe, expect, it } from "vitest";
import { livePreviewSigner } from "./livePreviewRoutes.ts";

describe("live preview links", () => {
  const signer = livePreviewSigner("s".repeat(32));
  const stream = "0b3c8f1e-5a4d-4c2b-9e7f-1a2b3c4d5e6f";
  const session = "7f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2910";
  const tokenOf = (link: string) => link.split("/")[3]!;

  it("hands out one link all hour, so a page that reads the stream again keeps its player on it", () => {
    const hour = Date.UTC(2026, 11, 4, 18, 0, 0);
    const early = signer.link(stream, session, 6 * 3600, hour + 1_000);
    expect(signer.link(stream, session, 6 * 3600, hour + 3_599_000)).toBe(early);
    expect(signer.link(stream, session, 6 * 3600, hour + 3_601_000)).not.toBe(early);
    const grant = signer.verify(tokenOf(early), hour + 1_000);
    // valid at least the time asked, at most an hour more
    expect(grant).toMatchObject({ streamId: stream, sessionId: session });
    const expiresAtSec = (grant as { expiresAtSec: number }).expiresAtSec;
    expect(expiresAtSec * 1000 - (hour + 1_000)).toBeGreaterThanOrEqual(6 * 3600 * 1000);
    expect(expiresAtSec * 1000 - (hour + 1_000)).toBeLessThanOrEqual(7 * 3600 * 1000);
    expect(signer.verify(tokenOf(early), expiresAtSec * 1000)).toEqual({ _tag: "Expired" });
    expect(
      signer.verify(
        tokenOf(early).replace(/.$/, (c) => (c === "A" ? "B" : "A")),
        hour,
      ),
    ).toEqual({
      _tag: "Invalid",
    });
  });
});
