// The one contract every event-store adapter passes (in-memory, PostgreSQL, KurrentDB).
// Each test works under its own stream prefix, so the suite also runs against a shared server.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type {
  AppendOutcome,
  EventData,
  EventStore,
  RecordedEvent,
  Subscription,
  SubscriptionMessage,
} from "../../domain/ports/eventStore.ts";

export interface ContractHarness {
  store: EventStore;
  dispose(): Promise<void>;
  /**
   * KurrentDB checks event ids only against recent appends, not at the stream's current revision:
   * re-sending a batch there appends it again. Our own stores refuse it (ids are unique per stream).
   */
  reappendsKnownIdsAtCurrentRevision?: boolean;
}

function event(type = "ThingHappened", data: Record<string, unknown> = {}): EventData {
  return { id: randomUUID(), type, data, metadata: { correlationId: randomUUID(), schemaVersion: 1 } };
}

function events(count: number, type?: string): EventData[] {
  return Array.from({ length: count }, (_, i) => event(type, { i }));
}

function appended(outcome: AppendOutcome) {
  if (outcome._tag !== "Appended") throw new Error(`expected Appended, got ${JSON.stringify(outcome)}`);
  return outcome;
}

async function take(
  subscription: Subscription,
  count: number,
  timeoutMs = 10_000,
): Promise<SubscriptionMessage[]> {
  const taken: SubscriptionMessage[] = [];
  const iterator = subscription[Symbol.asyncIterator]();
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`timed out after ${taken.length} of ${count} messages`)), timeoutMs),
  );
  while (taken.length < count) {
    const next = await Promise.race([iterator.next(), timeout]);
    if (next.done) break;
    taken.push(next.value);
  }
  return taken;
}

const eventsOf = (messages: SubscriptionMessage[]): RecordedEvent[] =>
  messages.flatMap((m) => (m.type === "event" ? [m.event] : []));

export function describeEventStoreContract(name: string, open: () => Promise<ContractHarness>) {
  describe(`${name}: event store contract`, () => {
    let harness: ContractHarness;
    let store: EventStore;
    let prefix: string;
    const stream = (suffix: string) => `${prefix}-${suffix}`;

    beforeAll(async () => {
      harness = await open();
      store = harness.store;
    });
    afterAll(async () => {
      await harness?.dispose();
    });

    // a fresh prefix per test keeps the tests independent on a shared store
    const fresh = () => {
      prefix = `c${randomUUID().replaceAll("-", "").slice(0, 12)}`;
    };

    describe("expected state", () => {
      it("no_stream creates a stream and then refuses, reporting the actual revision", async () => {
        fresh();
        const first = appended(await store.append(stream("a"), events(2), { expected: "no_stream" }));
        expect(first.nextExpectedRevision).toBe(1);
        const second = await store.append(stream("a"), events(1), { expected: "no_stream" });
        expect(second).toMatchObject({ _tag: "WrongExpectedVersion", streamId: stream("a"), actual: 1 });
      });

      it("stream_exists refuses a missing stream and accepts an existing one", async () => {
        fresh();
        expect(await store.append(stream("b"), events(1), { expected: "stream_exists" })).toMatchObject({
          _tag: "WrongExpectedVersion",
          actual: "no_stream",
        });
        appended(await store.append(stream("b"), events(1), { expected: "no_stream" }));
        expect(
          appended(await store.append(stream("b"), events(1), { expected: "stream_exists" })),
        ).toMatchObject({
          nextExpectedRevision: 1,
        });
      });

      it("an exact revision must match the last revision", async () => {
        fresh();
        appended(await store.append(stream("c"), events(3), { expected: "no_stream" }));
        expect(await store.append(stream("c"), events(1), { expected: 1 })).toMatchObject({
          _tag: "WrongExpectedVersion",
          expected: 1,
          actual: 2,
        });
        expect(await store.append(stream("missing"), events(1), { expected: 0 })).toMatchObject({
          _tag: "WrongExpectedVersion",
          actual: "no_stream",
        });
        expect(
          appended(await store.append(stream("c"), events(2), { expected: 2 })).nextExpectedRevision,
        ).toBe(4);
        const read = await store.readStream(stream("c"));
        expect(read.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4]);
      });

      it("any appends whatever the state", async () => {
        fresh();
        appended(await store.append(stream("d"), events(1), { expected: "any" }));
        expect(
          appended(await store.append(stream("d"), events(1), { expected: "any" })).nextExpectedRevision,
        ).toBe(1);
      });

      it("a refused append writes nothing", async () => {
        fresh();
        appended(await store.append(stream("e"), events(2), { expected: "no_stream" }));
        const before = await store.headPosition();
        await store.append(stream("e"), events(5), { expected: 0 });
        expect(await store.readStream(stream("e"))).toHaveLength(2);
        expect(await store.headPosition()).toBe(before);
      });
    });

    describe("idempotency by event id", () => {
      it("re-appending the same events at the same expected revision returns the original result", async () => {
        fresh();
        appended(await store.append(stream("i"), events(1), { expected: "no_stream" }));
        const batch = events(3);
        const first = appended(await store.append(stream("i"), batch, { expected: 0 }));
        const again = appended(await store.append(stream("i"), batch, { expected: 0 }));
        expect(again.nextExpectedRevision).toBe(first.nextExpectedRevision);
        expect(again.position).toBe(first.position);
        expect(await store.readStream(stream("i"))).toHaveLength(4);
      });

      it("re-appending with no_stream or any does not duplicate", async () => {
        fresh();
        const batch = events(2);
        const first = appended(await store.append(stream("j"), batch, { expected: "no_stream" }));
        expect(appended(await store.append(stream("j"), batch, { expected: "no_stream" })).position).toBe(
          first.position,
        );
        appended(await store.append(stream("j"), batch, { expected: "any" }));
        expect(await store.readStream(stream("j"))).toHaveLength(2);
      });

      it("the same ids at another revision are a wrong expected version", async () => {
        fresh();
        const batch = events(2);
        appended(await store.append(stream("k"), batch, { expected: "no_stream" }));
        appended(await store.append(stream("k"), events(1), { expected: 1 }));
        if (harness.reappendsKnownIdsAtCurrentRevision) {
          appended(await store.append(stream("k"), batch, { expected: 2 }));
          expect(await store.readStream(stream("k"))).toHaveLength(5);
          return;
        }
        expect(await store.append(stream("k"), batch, { expected: 2 })).toMatchObject({
          _tag: "WrongExpectedVersion",
        });
        expect(await store.readStream(stream("k"))).toHaveLength(3);
      });
    });

    describe("reading a stream", () => {
      it("round-trips ids, types, data and metadata", async () => {
        fresh();
        const one = event("Unicode", {
          title: "Ünïcødé 🎬",
          nested: { list: [1, 2.5, null, true] },
          empty: "",
        });
        appended(await store.append(stream("r"), [one], { expected: "no_stream" }));
        const [read] = await store.readStream(stream("r"));
        expect(read).toMatchObject({
          id: one.id,
          type: "Unicode",
          data: one.data,
          metadata: one.metadata,
          streamId: stream("r"),
          revision: 0,
        });
        expect(read?.createdAt).toBeInstanceOf(Date);
        expect(typeof read?.checkpoint).toBe("string");
      });

      it("reads forwards and backwards from a revision with a limit", async () => {
        fresh();
        appended(await store.append(stream("f"), events(10), { expected: "no_stream" }));
        const revisions = async (options: Parameters<EventStore["readStream"]>[1]) =>
          (await store.readStream(stream("f"), options)).map((e) => e.revision);
        expect(await revisions({})).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        expect(await revisions({ from: 3, maxCount: 4 })).toEqual([3, 4, 5, 6]);
        expect(await revisions({ direction: "backwards", maxCount: 3 })).toEqual([9, 8, 7]);
        expect(await revisions({ direction: "backwards", from: 4, maxCount: 2 })).toEqual([4, 3]);
        expect(await revisions({ from: 20 })).toEqual([]);
        expect(await store.readStream(stream("nothing-here"))).toEqual([]);
      });
    });

    describe("reading $all", () => {
      it("returns events in strictly increasing position, pages by checkpoint and filters server-side", async () => {
        fresh();
        appended(await store.append(stream("x-1"), events(3, "Alpha"), { expected: "no_stream" }));
        appended(await store.append(stream("y-1"), events(2, "Beta"), { expected: "no_stream" }));
        appended(await store.append(stream("x-2"), events(2, "Beta"), { expected: "no_stream" }));
        const all = await store.readAll({ filter: { streamPrefixes: [prefix] } });
        expect(all).toHaveLength(7);
        for (let i = 1; i < all.length; i++) expect(all[i]!.position).toBeGreaterThan(all[i - 1]!.position);

        const page1 = await store.readAll({ filter: { streamPrefixes: [prefix] }, maxCount: 4 });
        const page2 = await store.readAll({
          filter: { streamPrefixes: [prefix] },
          from: page1.at(-1)!.checkpoint,
          maxCount: 4,
        });
        expect([...page1, ...page2].map((e) => e.id)).toEqual(all.map((e) => e.id));

        const xs = await store.readAll({ filter: { streamPrefixes: [stream("x-")] } });
        expect(xs.map((e) => e.streamId)).toEqual([
          stream("x-1"),
          stream("x-1"),
          stream("x-1"),
          stream("x-2"),
          stream("x-2"),
        ]);
        const betas = await store.readAll({ filter: { eventTypes: ["Beta"], streamPrefixes: [prefix] } });
        expect(betas.map((e) => e.streamId)).toEqual([
          stream("y-1"),
          stream("y-1"),
          stream("x-2"),
          stream("x-2"),
        ]);
      });

      it("headPosition is the position of the last committed event", async () => {
        fresh();
        const result = appended(await store.append(stream("h"), events(3), { expected: "no_stream" }));
        expect(await store.headPosition()).toBeGreaterThanOrEqual(result.position);
        const [last] = await store.readStream(stream("h"), { direction: "backwards", maxCount: 1 });
        expect(last?.position).toBe(result.position);
      });
    });

    describe("subscribing to $all", () => {
      it("catches up, says so once, then delivers live events in order", async () => {
        fresh();
        appended(await store.append(stream("s"), events(3), { expected: "no_stream" }));
        const subscription = store.subscribeToAll({ from: "start", filter: { streamPrefixes: [prefix] } });
        try {
          const catchUp = await take(subscription, 4);
          expect(eventsOf(catchUp).map((e) => e.revision)).toEqual([0, 1, 2]);
          expect(catchUp[3]?.type).toBe("caughtUp");
          appended(await store.append(stream("s"), events(2), { expected: 2 }));
          appended(await store.append(stream("t"), events(1), { expected: "no_stream" }));
          const live = await take(subscription, 3);
          expect(live.map((m) => m.type)).toEqual(["event", "event", "event"]);
          expect(eventsOf(live).map((e) => `${e.streamId}@${e.revision}`)).toEqual([
            `${stream("s")}@3`,
            `${stream("s")}@4`,
            `${stream("t")}@0`,
          ]);
        } finally {
          await subscription.close();
        }
      });

      it("resumes after an opaque checkpoint, exclusively", async () => {
        fresh();
        appended(await store.append(stream("u"), events(5), { expected: "no_stream" }));
        const all = await store.readAll({ filter: { streamPrefixes: [prefix] } });
        const subscription = store.subscribeToAll({
          from: all[1]!.checkpoint,
          filter: { streamPrefixes: [prefix] },
        });
        try {
          const messages = await take(subscription, 4);
          expect(eventsOf(messages).map((e) => e.revision)).toEqual([2, 3, 4]);
          expect(messages[3]?.type).toBe("caughtUp");
        } finally {
          await subscription.close();
        }
      });

      it("from end delivers only what is appended afterwards, filtered by type", async () => {
        fresh();
        appended(await store.append(stream("v"), events(2, "Old"), { expected: "no_stream" }));
        const subscription = store.subscribeToAll({
          from: "end",
          filter: { streamPrefixes: [prefix], eventTypes: ["Wanted"] },
        });
        try {
          const [caughtUp] = await take(subscription, 1);
          expect(caughtUp?.type).toBe("caughtUp");
          appended(
            await store.append(stream("v"), [event("Unwanted"), event("Wanted", { n: 1 })], { expected: 1 }),
          );
          const [live] = await take(subscription, 1);
          expect(live?.type === "event" && live.event.data).toEqual({ n: 1 });
        } finally {
          await subscription.close();
        }
      });

      it("ends when closed or aborted", async () => {
        fresh();
        const controller = new AbortController();
        const subscription = store.subscribeToAll({ from: "end", signal: controller.signal });
        const iterator = subscription[Symbol.asyncIterator]();
        expect((await iterator.next()).value?.type).toBe("caughtUp");
        const pending = iterator.next();
        controller.abort();
        expect((await pending).done).toBe(true);
      });
    });

    describe("deleting and truncating", () => {
      it("soft delete hides a stream; appending re-creates it and numbering continues", async () => {
        fresh();
        appended(await store.append(stream("del"), events(3), { expected: "no_stream" }));
        appended(await store.deleteStream(stream("del")));
        expect(await store.readStream(stream("del"))).toEqual([]);
        const again = appended(await store.append(stream("del"), events(1), { expected: "any" }));
        expect(again.nextExpectedRevision).toBe(3);
        expect((await store.readStream(stream("del"))).map((e) => e.revision)).toEqual([3]);
      });

      it("a tombstoned stream refuses every append", async () => {
        fresh();
        appended(await store.append(stream("tomb"), events(1), { expected: "no_stream" }));
        await store.tombstoneStream(stream("tomb"));
        expect(await store.append(stream("tomb"), events(1), { expected: "any" })).toMatchObject({
          _tag: "StreamDeleted",
          streamId: stream("tomb"),
        });
      });

      it("truncate-before and max-count hide old events from readStream", async () => {
        fresh();
        appended(await store.append(stream("trunc"), events(6), { expected: "no_stream" }));
        await store.setStreamMetadata(stream("trunc"), { truncateBefore: 4 });
        expect(await store.getStreamMetadata(stream("trunc"))).toMatchObject({ truncateBefore: 4 });
        expect((await store.readStream(stream("trunc"))).map((e) => e.revision)).toEqual([4, 5]);

        appended(await store.append(stream("cap"), events(6), { expected: "no_stream" }));
        await store.setStreamMetadata(stream("cap"), { maxCount: 2 });
        expect((await store.readStream(stream("cap"))).map((e) => e.revision)).toEqual([4, 5]);
        expect(
          (await store.readStream(stream("cap"), { direction: "backwards" })).map((e) => e.revision),
        ).toEqual([5, 4]);
      });
    });
  });
}
