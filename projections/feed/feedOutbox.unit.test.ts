import { describe, expect, it } from "vitest";
import { createFeedOutbox } from "./feedOutbox.ts";

/** A transport whose writes finish only when the test says so. */
function heldTransport() {
  const written: string[] = [];
  const releases: Array<() => void> = [];
  return {
    written,
    write(frame: string) {
      written.push(frame);
      return new Promise<void>((resolve) => releases.push(resolve));
    },
    /** Lets the oldest unfinished write finish. */
    async release() {
      releases.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

describe("feed outbox", () => {
  it("writes frames one at a time, in order", async () => {
    const transport = heldTransport();
    const outbox = createFeedOutbox({ write: transport.write, maxBufferedBytes: 100 });
    expect(outbox.idle).toBe(true);
    outbox.offer("a");
    outbox.offer("b");
    outbox.offer("c");
    expect(transport.written).toEqual(["a"]);
    expect(outbox.idle).toBe(false);
    await transport.release();
    expect(transport.written).toEqual(["a", "b"]);
    await transport.release();
    await transport.release();
    expect(transport.written).toEqual(["a", "b", "c"]);
    expect(outbox.idle).toBe(true);
  });

  it("drops an offered frame when the buffer is full, but lets one large frame through alone", async () => {
    const transport = heldTransport();
    const outbox = createFeedOutbox({ write: transport.write, maxBufferedBytes: 10 });
    expect(outbox.offer("in flight")).toBe(true);
    expect(outbox.offer("x".repeat(50))).toBe(true); // nothing queued: it may go alone
    expect(outbox.offer("y")).toBe(false);
    await transport.release();
    expect(outbox.offer("y")).toBe(true);
  });

  it("makes a put wait for room, and gives up when the client takes nothing in time", async () => {
    const transport = heldTransport();
    const outbox = createFeedOutbox({ write: transport.write, maxBufferedBytes: 10 });
    await outbox.put("0123456789", 1_000); // taken by the transport at once
    await outbox.put("0123456789", 1_000); // queued: the buffer is now full
    const waiting = outbox.put("next", 1_000);
    await transport.release();
    await expect(waiting).resolves.toBe(true);
    const started = Date.now();
    await expect(outbox.put("0123456789", 50)).resolves.toBe(false); // "next" still waits behind the second
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });

  it("drops what is queued on close and wakes a waiting put", async () => {
    const transport = heldTransport();
    const outbox = createFeedOutbox({ write: transport.write, maxBufferedBytes: 1 });
    outbox.offer("a");
    outbox.offer("b");
    const waiting = outbox.put("c", 10_000);
    outbox.close();
    await expect(waiting).resolves.toBe(false);
    await transport.release();
    expect(transport.written).toEqual(["a"]);
    expect(outbox.offer("d")).toBe(false);
  });
});
