import type pg from "pg";
import type { ReadStreamOptions, RecordedEvent } from "../../../domain/ports/eventStore.ts";
import { type EventRow, eventColumnsOf, recordedEventOf } from "./recordedEventRow.ts";

// Stream metadata (truncate-before, soft delete, max-count, max-age) hides events here, not in $all.
export async function readStream(
  pool: pg.Pool,
  schema: string,
  streamId: string,
  options: ReadStreamOptions = {},
): Promise<RecordedEvent[]> {
  const backwards = options.direction === "backwards";
  const from = options.from ?? (backwards ? "end" : "start");
  const fromRevision = from === "start" ? 0 : from === "end" ? Number.MAX_SAFE_INTEGER : from;
  const limit = options.maxCount ?? Number.MAX_SAFE_INTEGER;
  const { rows } = await pool.query<EventRow>({
    rowMode: "array",
    text: `select ${eventColumnsOf("e")}
       from "${schema}".es_events e
       join "${schema}".es_streams s using (stream_id)
      where e.stream_id = $1
        and e.revision ${backwards ? "<=" : ">="} $2
        and e.revision >= coalesce(s.truncate_before, 0)
        and (s.max_count is null or e.revision > s.revision - s.max_count)
        and (s.max_age_seconds is null or e.created_at >= now() - make_interval(secs => s.max_age_seconds))
      order by e.revision ${backwards ? "desc" : "asc"}
      limit $3`,
    values: [streamId, fromRevision, limit],
  });
  return rows.map((row) => recordedEventOf(row));
}
