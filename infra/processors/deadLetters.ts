// The dead-letter list: events a reactor or projector gave up on after its bounded retries, parked so
// that the events behind them go on. A projector's parked events are skipped by its rebuild too, so a
// rebuilt read model still equals the live one.
import type pg from "pg";
import type { RecordedEvent } from "../../domain/ports/eventStore.ts";
import type { Migration } from "../postgres/migrate.ts";
import type { GivenUp } from "./retryBounded.ts";

export const deadLetterMigrations = (schema: string): Migration[] => [
  {
    id: "processors-001-dead-letters",
    sql: `create table if not exists "${schema}".dead_letters (
            id bigint generated always as identity primary key,
            kind text not null,
            processor text not null,
            position bigint not null,
            event_id text not null,
            stream text not null,
            type text not null,
            error text not null,
            attempts int not null,
            first_failed_at timestamptz not null,
            last_failed_at timestamptz not null,
            parked_at timestamptz not null default now(),
            unique (kind, processor, event_id)
          )`,
  },
];

export type ProcessorKind = "reactor" | "projector";

type Queryable = Pick<pg.Pool | pg.PoolClient, "query">;

/** Idempotent: parking the same event again (after a crash before the checkpoint moved) updates it. */
export async function parkEvent(
  db: Queryable,
  schema: string,
  processor: { kind: ProcessorKind; name: string },
  event: RecordedEvent,
  failure: GivenUp,
): Promise<void> {
  await db.query(
    `insert into "${schema}".dead_letters
       (kind, processor, position, event_id, stream, type, error, attempts, first_failed_at, last_failed_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     on conflict (kind, processor, event_id) do update set error = excluded.error,
       attempts = dead_letters.attempts + excluded.attempts, last_failed_at = excluded.last_failed_at`,
    [
      processor.kind,
      processor.name,
      event.position,
      event.id,
      event.streamId,
      event.type,
      failure.error,
      failure.attempts,
      failure.firstFailedAt,
      failure.lastFailedAt,
    ],
  );
}

/** The ids of the events a projector parked: its rebuild skips them as the live runner did. */
export async function parkedEventIds(db: Queryable, schema: string, projector: string): Promise<Set<string>> {
  const { rows } = await db.query<{ event_id: string }>(
    `select event_id from "${schema}".dead_letters where kind = 'projector' and processor = $1`,
    [projector],
  );
  return new Set(rows.map((row) => row.event_id));
}

export interface DeadLetter {
  id: string;
  kind: ProcessorKind;
  processor: string;
  position: number;
  eventId: string;
  stream: string;
  type: string;
  error: string;
  attempts: number;
  firstFailedAt: Date;
  lastFailedAt: Date;
  parkedAt: Date;
}

export async function listDeadLetters(
  db: Queryable,
  schema: string,
  page: { limit: number; offset: number },
): Promise<{ deadLetters: DeadLetter[]; total: number }> {
  const { rows } = await db.query<{
    id: string;
    kind: ProcessorKind;
    processor: string;
    position: string;
    event_id: string;
    stream: string;
    type: string;
    error: string;
    attempts: number;
    first_failed_at: Date;
    last_failed_at: Date;
    parked_at: Date;
    total: string;
  }>(
    `select *, count(*) over () as total from "${schema}".dead_letters
      order by parked_at desc, id desc limit $1 offset $2`,
    [page.limit, page.offset],
  );
  const total = rows[0] ? Number(rows[0].total) : (await countAll(db, schema)).total;
  return {
    total,
    deadLetters: rows.map((row) => ({
      id: String(row.id),
      kind: row.kind,
      processor: row.processor,
      position: Number(row.position),
      eventId: row.event_id,
      stream: row.stream,
      type: row.type,
      error: row.error,
      attempts: row.attempts,
      firstFailedAt: row.first_failed_at,
      lastFailedAt: row.last_failed_at,
      parkedAt: row.parked_at,
    })),
  };
}

async function countAll(db: Queryable, schema: string) {
  const { rows } = await db.query<{ n: string }>(`select count(*) as n from "${schema}".dead_letters`);
  return { total: Number(rows[0]?.n ?? 0) };
}

/** How many events each processor parked, keyed `kind:name`. */
export async function parkedCounts(db: Queryable, schema: string): Promise<Map<string, number>> {
  const { rows } = await db.query<{ kind: string; processor: string; n: string }>(
    `select kind, processor, count(*) as n from "${schema}".dead_letters group by kind, processor`,
  );
  return new Map(rows.map((row) => [`${row.kind}:${row.processor}`, Number(row.n)]));
}
