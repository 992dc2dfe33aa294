// Which stream a key belongs to, by its hash in the `streams` read model. A stream created or re-keyed a
// moment ago may not be there yet: before answering "none", wait for the projector to reach the log's
// head and look once more.
import type pg from "pg";
import type { EventStore } from "../../domain/ports/eventStore.ts";
import type { WaitForPosition } from "../../infra/http/readYourWrites.ts";

export interface StreamKeyLookupOptions {
  pool: pg.Pool;
  schema: string;
  store: EventStore;
  /** The streams projector's wait. */
  waitForPosition: WaitForPosition;
}

/** The id of the stream whose current key has this hash, or null. */
export type StreamKeyLookup = (keyHash: string) => Promise<string | null>;

export function streamKeyLookup(options: StreamKeyLookupOptions): StreamKeyLookup {
  const find = async (keyHash: string) => {
    const { rows } = await options.pool.query<{ id: string }>(
      `select id from "${options.schema}".streams where key_hash = $1 order by created_at limit 1`,
      [keyHash],
    );
    return rows[0]?.id ?? null;
  };
  return async (keyHash) => {
    const found = await find(keyHash);
    if (found !== null) return found;
    await options.waitForPosition(await options.store.headPosition(), 3000);
    return find(keyHash);
  };
}
