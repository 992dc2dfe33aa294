import type { RecordedEvent } from "../../../domain/ports/eventStore.ts";

const COLUMNS = ["position", "stream_id", "revision", "event_id", "type", "data", "metadata"];

/**
 * The columns of an event row under `alias`, in the order `recordedEventOf` reads them (rows come as
 * arrays: no object per row to build). The timestamp comes as epoch milliseconds: turning Postgres's
 * timestamp text into a Date cost more than everything else in a catch-up read.
 */
export const eventColumnsOf = (alias: string) =>
  [...COLUMNS.map((c) => `${alias}.${c}`), `date_part('epoch', ${alias}.created_at) * 1000`].join(", ");

/** A row of `eventColumnsOf`, as `rowMode: "array"` returns it. */
export type EventRow = [
  position: string,
  streamId: string,
  revision: string,
  eventId: string,
  type: string,
  data: Record<string, unknown>,
  metadata: Record<string, unknown>,
  createdMs: number,
];

/** The event in `row`, whose columns start at `offset`. */
export function recordedEventOf(row: readonly unknown[], offset = 0): RecordedEvent {
  const position = row[offset] as string;
  return {
    id: row[offset + 3] as string,
    type: row[offset + 4] as string,
    data: row[offset + 5] as Record<string, unknown>,
    metadata: row[offset + 6] as Record<string, unknown>,
    streamId: row[offset + 1] as string,
    revision: Number(row[offset + 2]),
    position: Number(position),
    checkpoint: position,
    createdAt: new Date(Math.floor(row[offset + 7] as number)),
  };
}

/** Our checkpoints are the decimal position; anything else was made by another store. */
export function positionOfCheckpoint(checkpoint: string): number {
  if (!/^\d{1,16}$/.test(checkpoint)) {
    throw new Error(`not a checkpoint of the PostgreSQL event store: ${JSON.stringify(checkpoint)}`);
  }
  return Number(checkpoint);
}
