import type { RecordedEvent } from "../../../domain/ports/eventStore.ts";

const COLUMNS = ["position", "stream_id", "revision", "event_id", "type", "data", "metadata"];

/**
 * The columns of an event row under `alias`. The timestamp comes as epoch milliseconds: turning
 * Postgres's timestamp text into a Date cost more than everything else in a catch-up read.
 */
export const eventColumnsOf = (alias: string) =>
  [
    ...COLUMNS.map((c) => `${alias}.${c}`),
    `(extract(epoch from ${alias}.created_at) * 1000)::float8 as created_ms`,
  ].join(", ");

export interface EventRow {
  position: string;
  stream_id: string;
  revision: string;
  event_id: string;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  created_ms: number;
}

export function recordedEventOf(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    streamId: row.stream_id,
    revision: Number(row.revision),
    position: Number(row.position),
    checkpoint: row.position,
    createdAt: new Date(Math.floor(row.created_ms)),
  };
}

/** Our checkpoints are the decimal position; anything else was made by another store. */
export function positionOfCheckpoint(checkpoint: string): number {
  if (!/^\d{1,16}$/.test(checkpoint)) {
    throw new Error(`not a checkpoint of the PostgreSQL event store: ${JSON.stringify(checkpoint)}`);
  }
  return Number(checkpoint);
}
