// Connection pools for the event store and the read models.
import pg from "pg";

/**
 * A pool whose sessions run without JIT compilation: our statements are short and indexed, and on a
 * table the planner has not analyzed yet its guesses can cross the JIT threshold, which then spends
 * a hundred milliseconds compiling a query that runs in three. (`?options=` in the URL wins.)
 */
export function openPool(url: string, max: number, onError: (error: Error) => void): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, options: "-c jit=off" });
  pool.on("error", onError);
  return pool;
}
