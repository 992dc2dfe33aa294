import type pg from "pg";
import type { AllFilter, RecordedEvent } from "../../../domain/ports/eventStore.ts";
import { type EventRow, eventColumnsOf, recordedEventOf } from "./recordedEventRow.ts";

export interface AllPage {
  events: RecordedEvent[];
  /** How far this read looked: every event up to here was either returned or filtered out. */
  scannedTo: number;
}

/** Positions a filtered read scans per statement; an unfiltered read scans exactly the page. */
const FILTERED_WINDOW = 20_000;

const escapeLike = (prefix: string) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

// Positions are dense and handed out in commit order, so the events a snapshot sees are exactly
// 1…head of that snapshot: a page read in one statement can never skip a slow writer.
//
// Every statement scans an explicitly bounded window of positions, (after, after + window]. The
// planner then knows how many rows it will touch and walks the primary key in order; an open range
// with a filter it cannot estimate (`stream_id like any(…)`) made it fetch and sort everything up to
// the head for every page. Filtered reads take further windows until the page is full or the head is
// reached.
export async function readAllPage(
  client: pg.Pool | pg.PoolClient,
  schema: string,
  after: number,
  maxCount: number,
  filter: AllFilter = {},
  filteredWindow = FILTERED_WINDOW,
): Promise<AllPage> {
  // the filter's parameters are $4 onwards
  const conditions: string[] = [];
  const filterValues: unknown[] = [];
  if (filter.eventTypes?.length) {
    filterValues.push(filter.eventTypes);
    conditions.push(`and type = any($${filterValues.length + 3}::text[])`);
  }
  if (filter.streamPrefixes?.length) {
    filterValues.push(filter.streamPrefixes.map(escapeLike));
    conditions.push(`and stream_id like any($${filterValues.length + 3}::text[])`);
  }
  const window = conditions.length === 0 ? maxCount : Math.max(maxCount, filteredWindow);
  // es_head and the events in one statement, one snapshot; the left join keeps the head when no
  // event matches (joined to a one-row constant: es_head may never have been analyzed).
  const text = `
    select (select head from "${schema}".es_head) as head, ${eventColumnsOf("e")}
      from (values (1)) one (x)
      left join (select * from "${schema}".es_events
                  where position > $1 and position <= $2 ${conditions.join(" ")}
                  order by position limit $3) e on true
     order by e.position`;

  const events: RecordedEvent[] = [];
  let scannedTo = after;
  while (events.length < maxCount) {
    const upTo = scannedTo + window;
    // arrays: [head, ...event columns], the event columns null when nothing matched
    const { rows } = await client.query<[head: string, ...EventRow]>({
      rowMode: "array",
      text,
      values: [scannedTo, upTo, maxCount - events.length, ...filterValues],
    });
    const head = Number(rows[0]![0]);
    for (const row of rows) if (row[1] != null) events.push(recordedEventOf(row, 1));
    if (events.length === maxCount) return { events, scannedTo: events.at(-1)!.position };
    scannedTo = Math.max(scannedTo, Math.min(upTo, head));
    if (scannedTo >= head) break;
  }
  return { events, scannedTo };
}
