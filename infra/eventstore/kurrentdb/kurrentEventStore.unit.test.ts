// Without a server: the store opens without connecting, and every operation against an address where
// nothing listens fails promptly with an Error that names the store, never a tagged outcome or a hang.
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import type { EventStore } from "../../../domain/ports/eventStore.ts";
import { openKurrentEventStore } from "./kurrentEventStore.ts";

const NOWHERE = "kurrentdb://127.0.0.1:1?tls=false";
const DEADLINE_MS = 8_000;

async function failure(operation: Promise<unknown>): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${DEADLINE_MS} ms`)), DEADLINE_MS);
  });
  try {
    await Promise.race([operation, deadline]);
  } catch (error) {
    return error;
  } finally {
    clearTimeout(timer);
  }
  throw new Error("expected the operation to fail");
}

describe("KurrentDB event store without a server", () => {
  let store: EventStore;
  afterAll(() => store?.close());

  it("opens without connecting", () => {
    store = openKurrentEventStore(NOWHERE);
    expect(typeof store.append).toBe("function");
  });

  it(
    "an append fails with a connection error naming the store",
    { timeout: DEADLINE_MS + 2_000 },
    async () => {
      const error = await failure(
        store.append("job-1", [{ id: randomUUID(), type: "JobSubmitted", data: {}, metadata: {} }], {
          expected: "no_stream",
        }),
      );
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(
        /^KurrentDB event store: append to stream "job-1" failed: .*UNAVAILABLE/i,
      );
      expect((error as Error).cause).toBeDefined();
    },
  );

  it.each([
    ["readStream", (s: EventStore) => s.readStream("job-1"), /read stream "job-1" failed: unavailable/],
    ["readAll", (s: EventStore) => s.readAll(), /read \$all failed: unavailable/],
    ["headPosition", (s: EventStore) => s.headPosition(), /read the head of \$all failed: unavailable/],
    ["deleteStream", (s: EventStore) => s.deleteStream("job-1"), /read stream "job-1" failed: unavailable/],
  ] as const)("%s fails the same way", { timeout: DEADLINE_MS + 2_000 }, async (_, operation, message) => {
    const error = await failure(operation(store));
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/^KurrentDB event store: /);
    expect((error as Error).message).toMatch(message);
  });

  it("a subscription fails the same way", { timeout: DEADLINE_MS + 2_000 }, async () => {
    const subscription = store.subscribeToAll({ from: "start" });
    try {
      const error = await failure(subscription[Symbol.asyncIterator]().next());
      expect((error as Error).message).toMatch(/^KurrentDB event store: subscription to \$all failed: /);
    } finally {
      await subscription.close();
    }
  });

  it("refuses another store's checkpoint before asking the server", async () => {
    await expect(store.readAll({ from: "42" })).rejects.toThrow(/"42" is not a KurrentDB checkpoint/);
    expect(() => store.subscribeToAll({ from: "42" })).toThrow(/"42" is not a KurrentDB checkpoint/);
  });

  it("a subscription closed or aborted before it is read ends at once", async () => {
    const closed = store.subscribeToAll();
    await closed.close();
    expect(await closed[Symbol.asyncIterator]().next()).toEqual({ done: true, value: undefined });

    const controller = new AbortController();
    controller.abort();
    const aborted = store.subscribeToAll({ signal: controller.signal });
    expect((await aborted[Symbol.asyncIterator]().next()).done).toBe(true);
    await aborted.close();
  });
});
