// Single-active processors: among all processes only the holder of a processor's advisory lock runs
// it. The lock lives as long as its own connection, so a leader whose connection breaks is no longer
// one; the others stand by and poll until the lock is free.
import type pg from "pg";
import { sleepUnlessAborted } from "../../workers/sleepUnlessAborted.ts";

export interface Lead {
  /** The connection that holds the lock; writes made on it stop when the lead is lost. */
  client: pg.PoolClient;
  /** Aborts when the lock's connection fails: the lock is gone with it. */
  lost: AbortSignal;
  release(): Promise<void>;
}

/** A connection holding the advisory lock named `key`; null once `stopping` aborts. */
export async function takeLead(
  pool: pg.Pool,
  key: string,
  standbyPollMs: number,
  stopping: AbortSignal,
): Promise<Lead | null> {
  while (!stopping.aborted) {
    const client = await pool.connect();
    // A checked-out client that fails between queries emits "error"; unheard, it would end the process.
    const lost = new AbortController();
    const onError = () => lost.abort();
    client.on("error", onError);
    let locked: boolean;
    try {
      const { rows } = await client.query<{ ok: boolean }>(
        "select pg_try_advisory_lock(hashtext($1)) as ok",
        [key],
      );
      locked = rows[0]?.ok === true;
    } catch (error) {
      client.off("error", onError);
      client.release(true);
      throw error;
    }
    if (locked) {
      return {
        client,
        lost: lost.signal,
        async release() {
          // Unlocking fails on a dead connection; destroying the connection ends its lock as well.
          const unlocked = await client.query("select pg_advisory_unlock(hashtext($1))", [key]).then(
            () => true,
            () => false,
          );
          client.off("error", onError);
          client.release(!unlocked);
        },
      };
    }
    client.off("error", onError);
    client.release();
    await sleepUnlessAborted(standbyPollMs, stopping);
  }
  return null;
}
