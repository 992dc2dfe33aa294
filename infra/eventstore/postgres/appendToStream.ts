// Appends go through one writer per process that coalesces concurrent requests into a single
// transaction (group commit): one round trip and one WAL flush for everything that queued up while
// the previous transaction was committing. Requests for the same stream never share a transaction,
// so each request is decided exactly as it would be alone.
import type pg from "pg";
import type { AppendOutcome, EventData, ExpectedState } from "../../../domain/ports/eventStore.ts";

interface Pending {
  streamId: string;
  expected: ExpectedState;
  events: readonly EventData[];
  resolve(outcome: AppendOutcome): void;
  reject(error: unknown): void;
}

type AppendResult =
  | { ok: true; rev: number; pos: number }
  | { ok: false; tag: string; actual: number | null };

export interface AppendWriter {
  append(streamId: string, events: readonly EventData[], expected: ExpectedState): Promise<AppendOutcome>;
  /** Resolves once nothing is queued or in flight. */
  drain(): Promise<void>;
  /** Drains, then hands the writer's connection back to the pool. */
  close(): Promise<void>;
}

const MAX_BATCH_REQUESTS = 256;

function checkRequest(streamId: string, events: readonly EventData[], expected: ExpectedState) {
  if (!streamId) throw new Error("stream id must not be empty");
  if (typeof expected === "number" && (!Number.isInteger(expected) || expected < 0)) {
    throw new Error(`expected revision must be a non-negative integer, got ${expected}`);
  }
  const ids = new Set<string>();
  for (const event of events) {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(event.id)) {
      throw new Error(`event id must be a UUID, got ${JSON.stringify(event.id)}`);
    }
    if (ids.has(event.id)) throw new Error(`event id ${event.id} appears twice in one append`);
    ids.add(event.id);
  }
}

export function createAppendWriter(
  pool: pg.Pool,
  schema: string,
  onAppended: (head: number) => void,
): AppendWriter {
  const queue: Pending[] = [];
  let inFlight: Promise<void> | null = null;
  // One transaction is in flight at a time, so the writer keeps one connection rather than taking one
  // from the pool for every append; after any failure it starts over with a fresh one.
  let connection: pg.PoolClient | null = null;
  const released = new WeakSet<pg.PoolClient>();
  const drop = (client: pg.PoolClient) => {
    if (connection === client) connection = null;
    if (released.has(client)) return;
    released.add(client);
    client.release(true);
  };
  const take = async () => {
    if (connection) return { client: connection, fresh: false };
    const client = await pool.connect();
    client.on("error", () => drop(client)); // it died while idle: the next append takes a new one
    connection = client;
    return { client, fresh: true };
  };

  async function flush(batch: Pending[]): Promise<void> {
    const events = batch.flatMap((p) => p.events);
    let taken: { client: pg.PoolClient; fresh: boolean } | null = null;
    try {
      taken = await take();
      const { rows } = await taken.client.query<{ r: AppendResult[] }>({
        // named: each connection parses and plans the call once
        name: `es_append:${schema}`,
        text: `select "${schema}".es_append($1::text[], $2::text[], $3::int[], $4::uuid[], $5::text[], $6::jsonb[], $7::jsonb[]) as r`,
        values: [
          batch.map((p) => p.streamId),
          batch.map((p) => String(p.expected)),
          batch.map((p) => p.events.length),
          events.map((e) => e.id),
          events.map((e) => e.type),
          events.map((e) => JSON.stringify(e.data)),
          events.map((e) => JSON.stringify(e.metadata)),
        ],
      });
      const results = rows[0]!.r;
      let head = 0;
      batch.forEach((pending, i) => {
        const result = results[i]!;
        if (result.ok) {
          head = Math.max(head, result.pos);
          pending.resolve({
            _tag: "Appended",
            nextExpectedRevision: result.rev,
            position: result.pos,
            checkpoint: String(result.pos),
          });
        } else if (result.tag === "StreamDeleted") {
          pending.resolve({ _tag: "StreamDeleted", streamId: pending.streamId });
        } else {
          pending.resolve({
            _tag: "WrongExpectedVersion",
            streamId: pending.streamId,
            expected: pending.expected,
            actual: result.actual ?? "no_stream",
          });
        }
      });
      if (head > 0) onAppended(head);
    } catch (error) {
      if (taken) drop(taken.client);
      // The kept connection may have died since the last append: once more on a new one. Should the
      // lost transaction have committed after all, the same event ids make the retry a no-op.
      if (taken && !taken.fresh) return flush(batch);
      // One request the database refuses (say, a NUL character in JSON text) must not fail the others
      // that happened to share its transaction: the transaction wrote nothing, so retry them alone.
      if (batch.length === 1) batch[0]!.reject(error);
      else for (const pending of batch) await flush([pending]);
    }
  }

  function takeBatch(): Pending[] {
    const batch: Pending[] = [];
    const streams = new Set<string>();
    for (let i = 0; i < queue.length && batch.length < MAX_BATCH_REQUESTS; ) {
      const pending = queue[i]!;
      if (streams.has(pending.streamId)) {
        i++;
        continue;
      }
      streams.add(pending.streamId);
      batch.push(pending);
      queue.splice(i, 1);
    }
    return batch;
  }

  function pump() {
    if (inFlight || queue.length === 0) return;
    inFlight = flush(takeBatch()).finally(() => {
      inFlight = null;
      pump();
    });
  }

  return {
    append(streamId, events, expected) {
      return new Promise<AppendOutcome>((resolve, reject) => {
        checkRequest(streamId, events, expected);
        queue.push({ streamId, expected, events, resolve, reject });
        pump();
      });
    },
    async drain() {
      while (inFlight) await inFlight;
    },
    async close() {
      while (inFlight) await inFlight;
      if (connection && !released.has(connection)) {
        released.add(connection);
        connection.release();
      }
      connection = null;
    },
  };
}
