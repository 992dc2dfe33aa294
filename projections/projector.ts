// A projector turns events into read-model rows. It is told which physical table stands for each of
// its logical tables, so the same code fills the live tables and the hidden tables of a rebuild.
import type pg from "pg";
import type { AllFilter, RecordedEvent } from "../domain/ports/eventStore.ts";

export interface ReadModelTable {
  /** Logical name, also the live table's name. */
  name: string;
  /** Creates the table (no secondary indexes) under `table`, a quoted, schema-qualified name. */
  createTable(table: string): string;
  /** Secondary indexes, created after a rebuild has loaded the rows. `prefix` names them. */
  createIndexes(table: string, prefix: string): string;
}

/**
 * Where a projector reads and writes its tables. Statements run in the order they are issued, so a
 * query sees every write issued before it; a write may still be running when `write` returns (a
 * rebuild overlaps the database's work with the fold of the next page), and the runner waits for all
 * of them before it commits.
 */
export interface ProjectionContext {
  /** The quoted, schema-qualified physical table standing for logical table `name`. */
  table(name: string): string;
  query<R extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
  write(sql: string, params?: unknown[]): Promise<void>;
  /**
   * A write that no later query of the projector depends on (rows of an append-only table): a rebuild
   * runs these on a connection of their own, alongside the other writes.
   */
  appendOnly(sql: string, params?: unknown[]): Promise<void>;
  /**
   * What the projector may keep between batches applied with this same context, such as the rows it
   * just wrote. A live batch gets a fresh one (its transaction may roll back); a rebuild's load shares
   * one, so rows that span pages need no read back.
   */
  memo: Map<string, unknown>;
}

/** The context of a batch that runs each statement on `client` in turn, in its transaction. */
export function transactionContext(
  client: pg.PoolClient,
  table: (name: string) => string,
): ProjectionContext {
  return {
    table,
    memo: new Map(),
    query: (sql, params) => client.query(sql, params),
    async write(sql, params) {
      await client.query(sql, params);
    },
    async appendOnly(sql, params) {
      await client.query(sql, params);
    },
  };
}

export interface Projector {
  name: string;
  /** Bump when the tables or the way they are filled change: the read model is then rebuilt. */
  version: number;
  tables: readonly ReadModelTable[];
  filter?: AllFilter;
  /** Applies a batch in order inside the runner's transaction. Throwing stops the projector. */
  apply(events: readonly RecordedEvent[], context: ProjectionContext): Promise<void>;
}

/**
 * A projector's verdict on one event. `unknown_event_type`: this version cannot read it, a newer one
 * may (the runner waits instead of parking it); `refused`: the event itself is at fault.
 */
export class ProjectionError extends Error {
  constructor(
    readonly projector: string,
    readonly event: RecordedEvent,
    reason: string,
    readonly verdict: "unknown_event_type" | "refused" = "refused",
  ) {
    super(
      `projector ${projector} stopped at position ${event.position} (${event.type} in ${event.streamId}@${event.revision}): ${reason}`,
    );
  }
}
