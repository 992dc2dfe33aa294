// Runs one projector on the processor runner: events are applied in batches, and the read-model writes
// commit with the new checkpoint in one transaction (exactly-once effect). An event given up on is
// parked with the checkpoint past it, in one transaction; the rebuild skips it the same way.
import type pg from "pg";
import type { EventStore, RecordedEvent } from "../../domain/ports/eventStore.ts";
import { ProjectionError, type Projector, transactionContext } from "../../projections/projector.ts";
import { migrate } from "../postgres/migrate.ts";
import { deadLetterMigrations, parkEvent } from "./deadLetters.ts";
import { lockCheckpoint, saveCheckpoint } from "./projectionCheckpoints.ts";
import { ensureReadModel, liveTable } from "./readModelTables.ts";
import { type Blame, defaultRetryPolicy, type RetryPolicy, storeAndDatabaseHealthy } from "./retryBounded.ts";
import { type ProcessorRunStatus, type ProcessorState, runProcessor } from "./runProcessor.ts";

export type RunnerState = ProcessorState;
export type ProjectorStatus = ProcessorRunStatus;

export interface ProjectorRunner {
  readonly name: string;
  status(): ProjectorStatus;
  /** Resolves true once events up to `position` are projected (false after `timeoutMs`). */
  waitForPosition(position: number, timeoutMs: number): Promise<boolean>;
  stop(): Promise<void>;
}

export interface RunProjectorOptions {
  store: EventStore;
  pool: pg.Pool;
  schema: string;
  projector: Projector;
  batchSize?: number;
  /** Attempts and backoff of a failing batch, then of each of its events. Default: 5, 500 ms doubling. */
  retry?: RetryPolicy;
  log?: (level: "info" | "error", message: string) => void;
}

export function startProjector(options: RunProjectorOptions): ProjectorRunner {
  const { store, pool, schema, projector } = options;
  const log = options.log ?? (() => {});
  const healthy = storeAndDatabaseHealthy(store, pool);

  /** Runs `write` in a transaction after checking the checkpoint is at `from`; false when it is not. */
  async function atCheckpoint(from: number, write: (client: pg.PoolClient) => Promise<RecordedEvent>) {
    const client = await pool.connect();
    try {
      await client.query("begin");
      const checkpoint = await lockCheckpoint(client, schema, projector.name, projector.version);
      if (checkpoint.position !== from) {
        // a rebuild swapped the tables and moved the checkpoint: resubscribe from there
        await client.query("rollback");
        return false;
      }
      const last = await write(client);
      await saveCheckpoint(client, schema, projector.name, {
        checkpoint: last.checkpoint,
        position: last.position,
        version: projector.version,
      });
      await client.query("commit");
      return true;
    } catch (failure) {
      await client.query("rollback").catch(() => {});
      throw failure;
    } finally {
      client.release();
    }
  }

  const run = runProcessor({
    kind: "projector",
    name: projector.name,
    store,
    pool,
    schema,
    filter: projector.filter,
    startAt: "start",
    batchSize: options.batchSize ?? 1000,
    retry: options.retry ?? defaultRetryPolicy,
    standbyPollMs: 1_000,
    async prepare() {
      await migrate(pool, schema, deadLetterMigrations(schema));
      await ensureReadModel(pool, schema, projector, store, log);
    },
    log: (level, message) => log(level === "info" ? "info" : "error", message),
    checkpointing: {
      async load({ client }) {
        const { rows } = await client.query<{ checkpoint: string | null; position: string }>(
          `select checkpoint, position from "${schema}".projection_checkpoints where name = $1`,
          [projector.name],
        );
        return { checkpoint: rows[0]?.checkpoint ?? undefined, position: Number(rows[0]?.position ?? 0) };
      },
      commit: (events, _lead, from) =>
        atCheckpoint(from, async (client) => {
          await projector.apply(
            events,
            transactionContext(client, (name) => liveTable(schema, name)),
          );
          return events.at(-1)!;
        }),
      async giveUp(event, failure, _lead, from) {
        const parked = await atCheckpoint(from, async (client) => {
          await parkEvent(client, schema, { kind: "projector", name: projector.name }, event, failure);
          return event;
        });
        if (parked) {
          log(
            "error",
            `projector ${projector.name}: parked ${event.type} at ${event.position} in ${event.streamId} after ${failure.attempts} attempt${failure.attempts === 1 ? "" : "s"}: ${failure.error}`,
          );
        }
        return parked;
      },
      /**
       * A projector's own verdict on an event is final; an event type this version does not know waits
       * for a newer version instead of being parked (a rolling upgrade must not lose the new events).
       */
      async blame(failure): Promise<Blame> {
        if (failure instanceof ProjectionError) {
          return failure.verdict === "unknown_event_type" ? "elsewhere" : "event-for-certain";
        }
        return (await healthy()) ? "event" : "elsewhere";
      },
    },
  });

  return { name: projector.name, ...run };
}
