// Proof that $all readers never skip an event committed by a slower concurrent transaction.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventStore, RecordedEvent } from "../../../domain/ports/eventStore.ts";
import { createTestDatabase, type TestDatabase } from "../../../test/support/testDatabase.ts";
import { openPostgresEventStore, type PostgresEventStore } from "./postgresEventStore.ts";

const WRITERS = 8;
const APPENDS_PER_WRITER = 500;

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase("race");
});
afterAll(() => database.drop());

const event = (data: Record<string, unknown>) => ({ id: randomUUID(), type: "Raced", data, metadata: {} });

/** Test-only jitter inside the append transaction, before and after positions are handed out. */
async function scrambleCommitOrder(url: string, schema: string, maxSleepMs: number) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`
    create or replace function "${schema}".race_jitter() returns trigger language plpgsql as $$
    begin perform pg_sleep(random() * ${maxSleepMs / 1000}); return null; end $$;
    create trigger race_jitter_streams after update on "${schema}".es_streams
      for each row execute function "${schema}".race_jitter();
    create trigger race_jitter_events after insert on "${schema}".es_events
      for each statement execute function "${schema}".race_jitter();
  `);
  await client.end();
}

async function collect(store: EventStore, count: number, timeoutMs: number): Promise<RecordedEvent[]> {
  const seen: RecordedEvent[] = [];
  const subscription = store.subscribeToAll({ from: "start" });
  const timer = setTimeout(() => void subscription.close(), timeoutMs);
  for await (const message of subscription) {
    if (message.type !== "event") continue;
    seen.push(message.event);
    if (seen.length >= count) break;
  }
  clearTimeout(timer);
  await subscription.close();
  return seen;
}

describe("PostgreSQL event store: gap-free ordering under concurrency", () => {
  it(`${WRITERS} concurrent writers × ${APPENDS_PER_WRITER} appends with scrambled commits: a live subscriber sees every event once, in order`, async () => {
    const schema = "race_load";
    const open = () => openPostgresEventStore({ url: database.url, schema, poolSize: 2, pollMs: 50 });
    const reader = await open();
    await scrambleCommitOrder(database.url, schema, 2);
    // separate store instances: separate connections and writers, so transactions truly race
    const writers: PostgresEventStore[] = [];
    for (let i = 0; i < WRITERS; i++) writers.push(await open());
    try {
      const total = WRITERS * APPENDS_PER_WRITER;
      const seen = collect(reader, total, 120_000);
      const written = await Promise.all(
        writers.map(async (store, w) => {
          const ids: string[] = [];
          for (let n = 0; n < APPENDS_PER_WRITER; n++) {
            const e = event({ w, n });
            // half the writers share streams to add stream-lock contention and conflicts
            const stream = w % 2 === 0 ? `writer-${w}` : `shared-${w % 4}`;
            const outcome = await store.append(stream, [e], { expected: "any" });
            expect(outcome._tag).toBe("Appended");
            ids.push(e.id);
          }
          return ids;
        }),
      );
      const events = await seen;

      expect(events).toHaveLength(total);
      const positions = events.map((e) => e.position);
      for (let i = 1; i < positions.length; i++) expect(positions[i]).toBe(positions[i - 1]! + 1);
      expect(new Set(events.map((e) => e.id)).size).toBe(total);
      expect(new Set(events.map((e) => e.id))).toEqual(new Set(written.flat()));
      // within each stream, revisions arrive in order with no gaps
      const byStream = new Map<string, number[]>();
      for (const e of events) byStream.set(e.streamId, [...(byStream.get(e.streamId) ?? []), e.revision]);
      for (const revisions of byStream.values()) expect(revisions).toEqual(revisions.map((_, i) => i));
    } finally {
      await Promise.all([reader, ...writers].map((s) => s.close()));
    }
  });

  it("a reader that has seen a fast transaction's event has also seen the slower one that began first", async () => {
    const schema = "race_slow";
    const store = await openPostgresEventStore({ url: database.url, schema, pollMs: 50 });
    const other = await openPostgresEventStore({ url: database.url, schema });
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      // the slow append sleeps 1 s inside its transaction after its events are inserted
      await client.query(`
        create or replace function "${schema}".slow() returns trigger language plpgsql as $$
        begin
          if exists (select 1 from new_rows where stream_id = 'slow') then perform pg_sleep(1); end if;
          return null;
        end $$;
        create trigger slow after insert on "${schema}".es_events
          referencing new table as new_rows for each statement execute function "${schema}".slow();
      `);
      const seen = collect(store, 2, 10_000);
      const slow = store.append("slow", [event({ n: 1 })], { expected: "any" });
      await new Promise((r) => setTimeout(r, 200)); // the slow transaction has begun
      const fast = other.append("fast", [event({ n: 2 })], { expected: "any" });
      const [slowResult, fastResult] = await Promise.all([slow, fast]);
      const events = await seen;
      expect(events.map((e) => e.streamId)).toEqual(["slow", "fast"]);
      expect(slowResult._tag === "Appended" && fastResult._tag === "Appended").toBe(true);
      if (slowResult._tag === "Appended" && fastResult._tag === "Appended") {
        expect(fastResult.position).toBe(slowResult.position + 1);
      }
    } finally {
      await client.end();
      await store.close();
      await other.close();
    }
  });
});
