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
  const params: unknown[] = [after, maxCount];
  const conditions: string[] = [];
  if (filter.eventTypes?.length) {
    params.push(filter.eventTypes);
    conditions.push(`and type = any($${params.length}::text[])`);
  }
  if (filter.streamPrefixes?.length) {
    params.push(filter.streamPrefixes.map(escapeLike));
    conditions.push(`and stream_id like any($${params.length}::text[])`);
  }
  // Both subqueries read es_head in the statement's one snapshot; not a lateral join, so the events
  // are an ordered index range scan whatever the planner believes about es_head.
  const { rows } = await client.query<EventRow & { head: string }>(
    `select h.head, e.*
       from (select head from "${schema}".es_head) h
       left join (
         select ${EVENT_COLUMNS}
           from "${schema}".es_events
          where position > $1 and position <= (select head from "${schema}".es_head) ${conditions.join(" ")}
          order by position
          limit $2
       ) e on true
      order by e.position`,
    params,
  );
  const head = Number(rows[0]?.head ?? 0);
  const events = rows[0]?.position == null ? [] : rows.map(recordedEventOf);
  const scannedTo = events.length === maxCount ? events.at(-1)!.position : Math.max(after, head);
  return { events, scannedTo };
}
