import type pg from "pg";
import type { AllFilter, RecordedEvent } from "../../../domain/ports/eventStore.ts";
import { EVENT_COLUMNS, type EventRow, recordedEventOf } from "./recordedEventRow.ts";

export interface AllPage {
  events: RecordedEvent[];
  /** How far this read looked: every event up to here was either returned or filtered out. */
  scannedTo: number;
}

const escapeLike = (prefix: string) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

// Reads up to the committed head, in one snapshot: positions are dense and handed out in commit
// order, so everything at or below the head is visible and the page can never skip a slow writer.
export async function readAllPage(
  client: pg.Pool | pg.PoolClient,
  schema: string,
  after: number,
  maxCount: number,
  filter: AllFilter = {},
): Promise<AllPage> {
  // the filter's parameters are $3 onwards in both queries below
  const conditions: string[] = [];
  const filterValues: unknown[] = [];
  if (filter.eventTypes?.length) {
    filterValues.push(filter.eventTypes);
    conditions.push(`and type = any($${filterValues.length + 2}::text[])`);
  }
  if (filter.streamPrefixes?.length) {
    filterValues.push(filter.streamPrefixes.map(escapeLike));
    conditions.push(`and stream_id like any($${filterValues.length + 2}::text[])`);
  }
  // The head is read in the same snapshot as the events (an InitPlan of the one statement), so every
  // position up to it is committed and visible: a plain ordered range scan that cannot skip a writer.
  const where = `position > $1 and position <= (select head from "${schema}".es_head) ${conditions.join(" ")}`;
  const { rows } = await client.query<EventRow & { head: string }>(
    `select ${EVENT_COLUMNS}, (select head from "${schema}".es_head) as head
       from "${schema}".es_events where ${where} order by position limit $2`,
    [after, maxCount, ...filterValues],
  );
  const events = rows.map(recordedEventOf);
  if (events.length === maxCount) return { events, scannedTo: events.at(-1)!.position };
  if (events.length > 0) return { events, scannedTo: Math.max(after, Number(rows[0]!.head)) };
  // Nothing matched, and an empty result carries no head. Claim a later head only after checking, in
  // a snapshot that sees everything up to it, that nothing matches up to there either.
  const { rows: heads } = await client.query<{ head: string }>(`select head from "${schema}".es_head`);
  const head = Number(heads[0]!.head);
  if (head <= after) return { events, scannedTo: after };
  const { rows: pending } = await client.query<{ found: boolean }>(
    `select exists (select 1 from "${schema}".es_events
                     where position > $1 and position <= $2 ${conditions.join(" ")}) as found`,
    [after, head, ...filterValues],
  );
  return { events, scannedTo: pending[0]!.found ? after : head };
}
