// The shared live tail: caught-up subscriptions take their events from one reader's memory, filtered
// there as the table's query would filter them; one that falls further behind than the memory holds
// reads the table itself, and still sees every event once, in order.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RecordedEvent, Subscription } from "../../../domain/ports/eventStore.ts";
import { createTestDatabase, type TestDatabase } from "../../../test/support/testDatabase.ts";
import { createLiveTail } from "./liveTail.ts";
import { openPostgresEventStore, type PostgresEventStore } from "./postgresEventStore.ts";
import { createAppendSignal, subscribeToAll } from "./subscribeToAll.ts";

let database: TestDatabase;
let store: PostgresEventStore;
beforeAll(async () => {
  database = await createTestDatabase("live_tail");
  store = await openPostgresEventStore({ url: database.url, schema: "tail" });
});
afterAll(async () => {
  await store.close();
  await database.drop();
});

const event = (type: string, n: number) => ({ id: randomUUID(), type, data: { n }, metadata: {} });

async function take(subscription: Subscription, count: number, slowMs = 0): Promise<RecordedEvent[]> {
  const seen: RecordedEvent[] = [];
  for await (const message of subscription) {
    if (message.type !== "event") continue;
    seen.push(message.event);
    if (slowMs > 0) await new Promise((resolve) => setTimeout(resolve, slowMs));
    if (seen.length === count) break;
  }
  await subscription.close();
  return seen;
}

describe("the live tail", () => {
  it("serves caught-up subscriptions their filtered events, and sends one behind its memory to the table", async () => {
    const appends = createAppendSignal();
    const tail = createLiveTail(store.pool, store.schema, appends, { pollMs: 20, batchSize: 3 });
    // a memory of 5 events, so a slow reader falls behind it
    const shortTail = createLiveTail(store.pool, store.schema, appends, {
      pollMs: 20,
      capacity: 5,
      batchSize: 3,
    });
    // a tail starts on first use; let both read the head before the subscriptions come
    for (const t of [tail, shortTail]) {
      const version = t.version;
      t.read(0, undefined, 1);
      await t.wait(version, 2_000, new AbortController().signal);
    }
    // what the two caught-up subscriptions read from the table themselves
    let ownReads = 0;
    const counted = {
      query: (...args: unknown[]) => {
        ownReads += 1;
        return (store.pool.query as (...a: unknown[]) => unknown)(...args);
      },
    } as unknown as typeof store.pool;
    const from = String(await store.headPosition());
    const jobs = subscribeToAll(counted, store.schema, appends, {
      pollMs: 20,
      tail,
      from,
      filter: { streamPrefixes: ["job-"], eventTypes: ["Done"] },
    });
    const everything = subscribeToAll(counted, store.schema, appends, { pollMs: 20, tail, from });
    const slow = subscribeToAll(store.pool, store.schema, appends, { pollMs: 20, tail: shortTail, from });
    // all three caught up before the appends, so their events come through the tail
    const iterators = [jobs, everything, slow].map((s) => s[Symbol.asyncIterator]());
    for (const iterator of iterators) expect((await iterator.next()).value?.type).toBe("caughtUp");
    const readsWhenCaughtUp = ownReads;
    const resumed = (iterator: AsyncIterator<unknown>): Subscription =>
      ({
        [Symbol.asyncIterator]: () => iterator,
        close: async () => void (await iterator.return?.()),
      }) as Subscription;

    const expectedJobs: number[] = [];
    for (let n = 0; n < 60; n++) {
      const stream = n % 2 === 0 ? `job-${n % 6}` : `token-${n % 5}`;
      const type = n % 3 === 0 ? "Done" : "Other";
      if (stream.startsWith("job-") && type === "Done") expectedJobs.push(n);
      await store.append(stream, [event(type, n)], { expected: "any" });
      appends.notify();
    }
    const [gotJobs, gotAll, gotSlow] = await Promise.all([
      take(resumed(iterators[0]!), expectedJobs.length),
      take(resumed(iterators[1]!), 60),
      take(resumed(iterators[2]!), 60, 15),
    ]);
    tail.close();
    shortTail.close();
    // every event after catching up came from the tail's memory, none from a read of their own
    expect(ownReads).toBe(readsWhenCaughtUp);
    expect(gotJobs.map((e) => (e.data as { n: number }).n)).toEqual(expectedJobs);
    for (const got of [gotAll, gotSlow]) {
      expect(got.map((e) => (e.data as { n: number }).n)).toEqual([...Array(60).keys()]);
      const positions = got.map((e) => e.position);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
    }
  });
});
