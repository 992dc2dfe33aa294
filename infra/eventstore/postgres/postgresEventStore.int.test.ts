import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../test/support/testDatabase.ts";
import { describeEventStoreContract } from "../eventStoreContract.ts";
import { openPostgresEventStore } from "./postgresEventStore.ts";

const database = await createTestDatabase("es");
afterAll(() => database.drop());

describeEventStoreContract("PostgreSQL", async () => {
  const store = await openPostgresEventStore({ url: database.url, schema: "contract" });
  return { store, dispose: () => store.close() };
});

describe("PostgreSQL event store: failures", () => {
  it("an append the database refuses fails alone, writes nothing, and spares appends grouped with it", async () => {
    const store = await openPostgresEventStore({ url: database.url, schema: "failures" });
    try {
      const good = (n: number) => ({ id: randomUUID(), type: "Fine", data: { n }, metadata: {} });
      const poisoned = { id: randomUUID(), type: "Bad", data: { title: "nul \u0000 inside" }, metadata: {} };
      const head = await store.headPosition();
      // issued together, these share one group-commit transaction
      const results = await Promise.allSettled([
        store.append("a", [good(1)], { expected: "no_stream" }),
        store.append("b", [good(2), poisoned], { expected: "no_stream" }),
        store.append("c", [good(3)], { expected: "no_stream" }),
      ]);
      expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
      expect(await store.readStream("b")).toEqual([]);
      expect((await store.readAll()).map((e) => e.streamId).sort()).toEqual(["a", "c"]);
      expect(await store.headPosition()).toBe(head + 2);
      expect((await store.append("b", [good(4)], { expected: "no_stream" }))._tag).toBe("Appended");
    } finally {
      await store.close();
    }
  });

  it("refuses malformed requests before they reach the database", async () => {
    const store = await openPostgresEventStore({ url: database.url, schema: "failures_input" });
    try {
      const e = { id: randomUUID(), type: "T", data: {}, metadata: {} };
      await expect(store.append("s", [{ ...e, id: "not-a-uuid" }], { expected: "any" })).rejects.toThrow(
        /UUID/,
      );
      await expect(store.append("s", [e, e], { expected: "any" })).rejects.toThrow(/twice/);
      await expect(store.append("", [e], { expected: "any" })).rejects.toThrow(/empty/);
      await expect(store.append("s", [e], { expected: -3 })).rejects.toThrow(/non-negative/);
    } finally {
      await store.close();
    }
  });
});

describe("PostgreSQL event store: several processes", () => {
  it("wakes a subscriber of another store instance through NOTIFY, long before its poll", async () => {
    const reader = await openPostgresEventStore({ url: database.url, schema: "notify", pollMs: 60_000 });
    const writer = await openPostgresEventStore({ url: database.url, schema: "notify" });
    const subscription = reader.subscribeToAll({ from: "end" });
    try {
      const iterator = subscription[Symbol.asyncIterator]();
      expect((await iterator.next()).value?.type).toBe("caughtUp");
      await new Promise((r) => setTimeout(r, 300)); // LISTEN is in place
      const started = Date.now();
      await writer.append("elsewhere", [{ id: randomUUID(), type: "Fine", data: {}, metadata: {} }], {
        expected: "any",
      });
      const next = await iterator.next();
      expect(next.value?.type === "event" && next.value.event.streamId).toBe("elsewhere");
      expect(Date.now() - started).toBeLessThan(5_000); // not the 60 s poll
    } finally {
      await subscription.close();
      await reader.close();
      await writer.close();
    }
  });
});
