import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createFeedOutbox } from "./feedOutbox.ts";

/** A Node writable (what a ServerResponse is) whose writes reach the client only when the test says so. */
function heldResponse(highWaterMark: number) {
  const written: string[] = [];
  const releases: Array<() => void> = [];
  const response = new Writable({
    highWaterMark,
    write(chunk: Buffer, _encoding, callback) {
      written.push(chunk.toString());
      releases.push(callback);
    },
  });
  return {
    response,
    written,
    /** Lets every write so far reach the client. */
    async release() {
      while (releases.length > 0) {
        releases.shift()!();
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
  };
}

describe("feed outbox", () => {
  it("writes each frame into the response at once, in order, text or shared bytes alike", async () => {
    const held = heldResponse(100);
    const outbox = createFeedOutbox({ response: held.response, maxBufferedBytes: 1000 });
    expect(outbox.idle).toBe(true);
    expect(outbox.offer("a")).toBe(true);
    expect(outbox.offer(Buffer.from("b"))).toBe(true);
    expect(outbox.offer("c")).toBe(true);
    expect(outbox.idle).toBe(false);
    await held.release();
    expect(held.written).toEqual(["a", "b", "c"]);
    expect(outbox.idle).toBe(true);
  });

  it("refuses a frame once the response asked for a drain and the bound would be passed; one large frame goes alone", async () => {
    const held = heldResponse(10);
    const outbox = createFeedOutbox({ response: held.response, maxBufferedBytes: 30 });
    expect(outbox.offer("x".repeat(50))).toBe(true); // nothing waits: it may go alone
    expect(outbox.offer("y")).toBe(false);
    await held.release();
    expect(outbox.offer("0123456789")).toBe(true); // fills the response to its high-water mark
    expect(outbox.offer("0123456789")).toBe(true); // within the bound
    expect(outbox.offer("0123456789")).toBe(true);
    expect(outbox.offer("0123456789")).toBe(false); // 40 bytes would wait
    expect(outbox.offer("y")).toBe(false);
  });

  it("makes a put wait for room, and gives up when the client takes nothing in time", async () => {
    const held = heldResponse(10);
    const outbox = createFeedOutbox({ response: held.response, maxBufferedBytes: 10 });
    await expect(outbox.put("0123456789", 1_000)).resolves.toBe(true);
    const waiting = outbox.put("next", 1_000);
    await held.release();
    await expect(waiting).resolves.toBe(true);
    await expect(outbox.put("0123456789", 1_000)).resolves.toBe(true);
    const started = Date.now();
    await expect(outbox.put("more", 50)).resolves.toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(held.written).toEqual(["0123456789", "next", "0123456789"]);
  });

  it("takes nothing more once closed, and wakes a waiting put with false", async () => {
    const held = heldResponse(1);
    const outbox = createFeedOutbox({ response: held.response, maxBufferedBytes: 1 });
    outbox.offer("a");
    const waiting = outbox.put("b", 10_000);
    const room = outbox.whenRoom(10_000);
    outbox.close();
    await expect(waiting).resolves.toBe(false);
    await expect(room).resolves.toBe(false);
    await held.release();
    expect(outbox.offer("c")).toBe(false);
    expect(held.written).toEqual(["a"]);
  });

  it("closes when the response does: a client that left wakes whoever waited for it", async () => {
    const held = heldResponse(1);
    const outbox = createFeedOutbox({ response: held.response, maxBufferedBytes: 1 });
    outbox.offer("a");
    const waiting = outbox.put("b", 10_000);
    held.response.destroy();
    await expect(waiting).resolves.toBe(false);
    expect(outbox.offer("c")).toBe(false);
  });
});
