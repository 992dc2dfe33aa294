import { describe, expect, it } from "vitest";
import { sealedDestinationUrlSchema } from "../../schemas/events/restreamEvents.ts";
import { destinationUrlSealer } from "./destinationUrlSealer.ts";

const url = "rtmp://a.rtmp.youtube.com/live2/xxxx-yyyy-zzzz-abcd";

describe("destinationUrlSealer", () => {
  it("seals a URL so that no part of its key shows, and opens it again", () => {
    const sealer = destinationUrlSealer("a platform secret of some length");
    const sealed = sealer.seal(url);
    expect(sealedDestinationUrlSchema.parse(sealed)).toEqual(sealed);
    expect(sealed.masked).toBe("rtmp://a.rtmp.youtube.com/live2/••••abcd");
    expect(JSON.stringify(sealed)).not.toContain("xxxx-yyyy");
    expect(sealer.open(sealed)).toBe(url);
    expect(sealer.seal(url).sealed).not.toBe(sealed.sealed);
  });

  it("refuses a URL sealed under another secret, or tampered with", () => {
    const sealed = destinationUrlSealer("one secret").seal(url);
    expect(() => destinationUrlSealer("another secret").open(sealed)).toThrow();
    const [v, iv, tag, body] = sealed.sealed.split(".");
    const flipped = `${body!.startsWith("A") ? "B" : "A"}${body!.slice(1)}`;
    expect(() =>
      destinationUrlSealer("one secret").open({ ...sealed, sealed: [v, iv, tag, flipped].join(".") }),
    ).toThrow();
  });
});
