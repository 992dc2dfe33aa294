import type pg from "pg";
import type { AppendOutcome, StreamMetadata } from "../../../domain/ports/eventStore.ts";

export async function getStreamMetadata(
  pool: pg.Pool,
  schema: string,
  streamId: string,
): Promise<StreamMetadata> {
  const { rows } = await pool.query<{
    truncate_before: string | null;
    max_count: string | null;
    max_age_seconds: string | null;
  }>(`select truncate_before, max_count, max_age_seconds from "${schema}".es_streams where stream_id = $1`, [
    streamId,
  ]);
  const row = rows[0];
  const metadata: StreamMetadata = {};
  if (row?.truncate_before != null) metadata.truncateBefore = Number(row.truncate_before);
  if (row?.max_count != null) metadata.maxCount = Number(row.max_count);
  if (row?.max_age_seconds != null) metadata.maxAge = Number(row.max_age_seconds);
  return metadata;
}

export async function setStreamMetadata(
  pool: pg.Pool,
  schema: string,
  streamId: string,
  metadata: StreamMetadata,
): Promise<void> {
  await pool.query(
    `insert into "${schema}".es_streams (stream_id, truncate_before, max_count, max_age_seconds)
     values ($1, $2, $3, $4)
     on conflict (stream_id) do update
       set truncate_before = excluded.truncate_before, max_count = excluded.max_count,
           max_age_seconds = excluded.max_age_seconds`,
    [streamId, metadata.truncateBefore ?? null, metadata.maxCount ?? null, metadata.maxAge ?? null],
  );
}

/** Soft delete: truncate-before past the last event; the next append re-creates the stream. */
export async function deleteStream(
  pool: pg.Pool,
  schema: string,
  streamId: string,
  expected: number | "any" | "no_stream" | "stream_exists",
): Promise<AppendOutcome> {
  const { rows } = await pool.query<{
    revision: string;
    tombstoned: boolean;
    deleted: boolean;
    head: string;
  }>(
    `with target as (
       select revision, tombstoned, deleted from "${schema}".es_streams where stream_id = $1 for update
     ), updated as (
       update "${schema}".es_streams s set deleted = true, truncate_before = t.revision + 1
         from target t
        where s.stream_id = $1 and not t.tombstoned and t.revision >= 0 and not t.deleted
          and ($2::text = 'any' or $2::text = 'stream_exists' or t.revision = ($2::text)::bigint)
       returning s.revision
     )
     select t.revision, t.tombstoned, t.deleted, (select head from "${schema}".es_head) as head,
            exists (select 1 from updated) as done
       from target t`,
    [streamId, String(expected === "no_stream" ? -2 : expected)],
  );
  const row = rows[0] as (typeof rows)[number] & { done?: boolean };
  if (!row || Number(row.revision) < 0 || row.deleted) {
    return { _tag: "WrongExpectedVersion", streamId, expected, actual: "no_stream" };
  }
  if (row.tombstoned) return { _tag: "StreamDeleted", streamId };
  if (!row.done) return { _tag: "WrongExpectedVersion", streamId, expected, actual: Number(row.revision) };
  return {
    _tag: "Appended",
    nextExpectedRevision: Number(row.revision),
    position: Number(row.head),
    checkpoint: row.head,
  };
}

export async function tombstoneStream(pool: pg.Pool, schema: string, streamId: string): Promise<void> {
  await pool.query(
    `insert into "${schema}".es_streams (stream_id, tombstoned, deleted) values ($1, true, true)
     on conflict (stream_id) do update set tombstoned = true, deleted = true`,
    [streamId],
  );
}
