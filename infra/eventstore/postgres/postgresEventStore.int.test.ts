import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../test/support/testDatabase.ts";
import { describeEventStoreContract } from "../eventStoreContract.ts";
import { openPostgresEventStore } from "./postgresEventStore.ts";
import { readAllPage } from "./readAll.ts";

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

  it("a group commit mixing refused, repeated and accepted appends writes dense positions and exact revisions", async () => {
    const store = await openPostgresEventStore({ url: database.url, schema: "mixed_batch" });
    try {
      const event = (n: number) => ({ id: randomUUID(), type: "Fine", data: { n }, metadata: {} });
      const earlier = [event(0), event(1)];
      await store.append("existing", earlier, { expected: "no_stream" });
      const head = await store.headPosition();
      // issued together, these share one transaction
      const outcomes = await Promise.all([
        store.append("fresh", [event(10)], { expected: "no_stream" }),
        store.append("missing", [event(20)], { expected: 5 }),
        store.append("existing", earlier, { expected: "no_stream" }), // a retry: already written
        store.append("fresh-many", [event(30), event(31), event(32)], { expected: "any" }),
        store.append("other", [event(40)], { expected: "stream_exists" }),
        store.append("also-new", [event(50), event(51)], { expected: "no_stream" }),
      ]);
      expect(outcomes.map((o) => o._tag)).toEqual([
        "Appended",
        "WrongExpectedVersion",
        "Appended",
        "Appended",
        "WrongExpectedVersion",
        "Appended",
      ]);
      expect(outcomes.map((o) => (o._tag === "Appended" ? o.nextExpectedRevision : null))).toEqual([
        0,
        null,
        1,
        2,
        null,
        1,
      ]);
      const all = await store.readAll({ from: String(head) });
      expect(all.map((e) => [e.position, e.streamId, e.revision, e.data.n])).toEqual([
        [head + 1, "fresh", 0, 10],
        [head + 2, "fresh-many", 0, 30],
        [head + 3, "fresh-many", 1, 31],
        [head + 4, "fresh-many", 2, 32],
        [head + 5, "also-new", 0, 50],
        [head + 6, "also-new", 1, 51],
      ]);
      expect(outcomes[5]).toMatchObject({ position: head + 6 });
      expect(outcomes[2]).toMatchObject({ position: head });
      expect(await store.headPosition()).toBe(head + 6);
      expect(await store.readStream("missing")).toEqual([]);
      expect((await store.append("missing", [event(60)], { expected: "no_stream" }))._tag).toBe("Appended");
      expect((await store.append("fresh-many", [event(33)], { expected: 2 }))._tag).toBe("Appended");
      expect((await store.readStream("fresh-many")).map((e) => e.revision)).toEqual([0, 1, 2, 3]);
    } finally {
      await store.close();
    }
  });

  it("appends on after the database has killed its connections, each event once", async () => {
    const store = await openPostgresEventStore({ url: database.url, schema: "killed" });
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      const event = (n: number) => ({ id: randomUUID(), type: "Fine", data: { n }, metadata: {} });
      await store.append("s", [event(1)], { expected: "no_stream" });
      const kill = () =>
        admin.query(
          "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()",
        );
      await kill();
      // straight away, before the dead connection's error may have arrived, and again after it did
      expect((await store.append("s", [event(2)], { expected: 0 }))._tag).toBe("Appended");
      await kill();
      await new Promise((r) => setTimeout(r, 200));
      expect((await store.append("s", [event(3)], { expected: 1 }))._tag).toBe("Appended");
      expect((await store.readStream("s")).map((e) => e.data.n)).toEqual([1, 2, 3]);
    } finally {
      await admin.end();
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

describe("PostgreSQL event store: reading $all in windows", () => {
  it("runs its sessions without JIT compilation", async () => {
    const store = await openPostgresEventStore({ url: database.url, schema: "nojit" });
    try {
      const { rows } = await store.pool.query<{ jit: string }>("show jit");
      expect(rows[0]!.jit).toBe("off");
    } finally {
      await store.close();
    }
  });

  it("a filtered page walks as many windows as it takes to fill up, in order, and says how far it looked", async () => {
    const store = await openPostgresEventStore({ url: database.url, schema: "windows" });
    try {
      const event = (n: number) => ({
        id: randomUUID(),
        type: n % 10 === 0 ? "Rare" : "Common",
        data: { n },
        metadata: {},
      });
      for (let n = 1; n <= 95; n++) {
        await store.append(n % 10 === 0 ? `rare-${n}` : `common-${n}`, [event(n)], { expected: "no_stream" });
      }
      // windows of 7 positions: the rare events (every tenth) are always in a later window
      for (const filter of [{ eventTypes: ["Rare"] }, { streamPrefixes: ["rare-"] }]) {
        const first = await readAllPage(store.pool, store.schema, 0, 3, filter, 7);
        expect(first.events.map((e) => e.data.n)).toEqual([10, 20, 30]);
        expect(first.scannedTo).toBe(30);
        const rest = await readAllPage(store.pool, store.schema, first.scannedTo, 100, filter, 7);
        expect(rest.events.map((e) => e.data.n)).toEqual([40, 50, 60, 70, 80, 90]);
        expect(rest.scannedTo).toBe(95); // the head: nothing after 90 matched
        const none = await readAllPage(store.pool, store.schema, 95, 100, filter, 7);
        expect(none).toEqual({ events: [], scannedTo: 95 });
      }
      // unfiltered pages are exactly the next positions
      const page = await readAllPage(store.pool, store.schema, 40, 5);
      expect(page.events.map((e) => e.position)).toEqual([41, 42, 43, 44, 45]);
      expect(
        (await store.readAll({ from: "90", filter: { eventTypes: ["Common"] } })).map((e) => e.position),
      ).toEqual([91, 92, 93, 94, 95]);
    } finally {
      await store.close();
    }
  });
});

describe("PostgreSQL event store: several processes", () => {
  it("two processes racing at the same expected revision: exactly one wins each round", async () => {
    const a = await openPostgresEventStore({ url: database.url, schema: "race" });
    const b = await openPostgresEventStore({ url: database.url, schema: "race" });
    try {
      const event = (who: string, n: number) => ({
        id: randomUUID(),
        type: "Fine",
        data: { who, n },
        metadata: {},
      });
      for (let round = 0; round < 40; round++) {
        const expected = round === 0 ? ("no_stream" as const) : round - 1;
        const outcomes = await Promise.all([
          a.append("contested", [event("a", round)], { expected }),
          b.append("contested", [event("b", round)], { expected }),
        ]);
        expect(outcomes.map((o) => o._tag).sort()).toEqual(["Appended", "WrongExpectedVersion"]);
        const loser = outcomes.find((o) => o._tag === "WrongExpectedVersion");
        expect(loser).toMatchObject({ actual: round });
      }
      const events = await a.readStream("contested");
      expect(events.map((e) => e.revision)).toEqual([...Array(40).keys()]);
      expect(events.map((e) => e.data.n)).toEqual([...Array(40).keys()]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("an exact revision on a soft-deleted, tombstoned or missing stream takes the full path", async () => {
    const store = await openPostgresEventStore({ url: database.url, schema: "exact_edges" });
    try {
      const event = () => ({ id: randomUUID(), type: "Fine", data: {}, metadata: {} });
      await store.append("soft", [event(), event()], { expected: "no_stream" });
      await store.deleteStream("soft");
      expect(await store.append("soft", [event()], { expected: 1 })).toMatchObject({
        _tag: "WrongExpectedVersion",
        actual: "no_stream",
      });
      await store.append("tomb", [event()], { expected: "no_stream" });
      await store.tombstoneStream("tomb");
      expect(await store.append("tomb", [event()], { expected: 0 })).toMatchObject({ _tag: "StreamDeleted" });
      expect(await store.append("missing", [event()], { expected: 0 })).toMatchObject({
        _tag: "WrongExpectedVersion",
        actual: "no_stream",
      });
      // (the same refusals as the in-memory store gives)
    } finally {
      await store.close();
    }
  });

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
