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

export interface ProjectionContext {
  client: pg.PoolClient;
  /** The quoted, schema-qualified physical table standing for logical table `name`. */
  table(name: string): string;
  /**
   * Runs an insert that no later read of the projector depends on (rows of an append-only table).
   * The live runner runs it in the batch's transaction. A rebuild runs it on a connection of its own
   * while the next page is folded, and waits for every such insert before it indexes and swaps the
   * rebuilt tables in; the returned promise may settle before the insert has run.
   */
  appendOnly(sql: string, params: unknown[]): Promise<void>;
}

/** The context of a batch that runs every statement on `client`, in its transaction. */
export function transactionContext(
  client: pg.PoolClient,
  table: (name: string) => string,
): ProjectionContext {
  return {
    client,
    table,
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

export class ProjectionError extends Error {
  constructor(
    readonly projector: string,
    readonly event: RecordedEvent,
    reason: string,
  ) {
    super(
      `projector ${projector} stopped at position ${event.position} (${event.type} in ${event.streamId}@${event.revision}): ${reason}`,
    );
  }
}
