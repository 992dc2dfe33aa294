// Runs a reactor on the processor runner: something that acts on stored events (plans jobs, dispatches
// tasks, publishes outputs). Unlike a projector it is never replayed by a rebuild: it keeps its own
// checkpoint, saved after each handled event (at-least-once, so handlers are idempotent). An event
// whose handling keeps failing is given up on: its `onPoison` hook turns it into a failure event on
// its own stream, or it is parked in the dead-letter list; either way the reactor moves on.
import type pg from "pg";
import type { EventStore, RecordedEvent } from "../../domain/ports/eventStore.ts";
import type { Reactor, ReactorDefinition, ReactorState } from "../../domain/ports/reactor.ts";

export type { Reactor };

import { migrate } from "../postgres/migrate.ts";
import { deadLetterMigrations, parkEvent } from "./deadLetters.ts";
import type { Lead } from "./processorLeadership.ts";
import {
  defaultRetryPolicy,
  type GivenUp,
  type RetryPolicy,
  storeAndDatabaseHealthy,
} from "./retryBounded.ts";
import { type ProcessorLog, runProcessor } from "./runProcessor.ts";

export const reactorCheckpointMigrations = (schema: string) => [
  {
    id: "reactors-001-checkpoints",
    sql: `create table if not exists "${schema}".reactor_checkpoints (
            name text primary key,
            checkpoint text not null,
            position bigint not null,
            updated_at timestamptz not null default now()
          )`,
  },
];

export interface RunReactorOptions extends ReactorDefinition {
  store: EventStore;
  pool: pg.Pool;
  /** Schema of the `reactor_checkpoints` table (created if missing). */
  schema: string;
  /** How often a standby tries to take the lead. Default 1 000 ms. */
  standbyPollMs?: number;
  /** Attempts and backoff of a failing handler. Default 5 attempts, 500 ms doubling up to 30 s. */
  retry?: RetryPolicy;
  /** How often to save a position that only events the filter skips went past. Default 5 000 ms. */
  skippedSaveIntervalMs?: number;
  log?: ProcessorLog;
}

export function runReactor(options: RunReactorOptions): Reactor {
  const { name, store, pool, schema } = options;
  const log = options.log ?? (() => {});
  const storeHealthy = storeAndDatabaseHealthy(store, pool);
  const healthy = async () =>
    (await storeHealthy()) && ((await options.dependenciesHealthy?.().catch(() => false)) ?? true);
  const skippedSaveIntervalMs = options.skippedSaveIntervalMs ?? 5_000;
  let savedAt = 0;

  // On the lock's own connection: a process that lost the lead cannot move the checkpoint.
  async function save({ client }: Lead, checkpoint: string, position: number) {
    await client.query(
      `insert into "${schema}".reactor_checkpoints (name, checkpoint, position) values ($1, $2, $3)
       on conflict (name) do update set checkpoint = excluded.checkpoint, position = excluded.position,
         updated_at = now()
       where reactor_checkpoints.position < excluded.position`,
      [name, checkpoint, position],
    );
    savedAt = Date.now();
  }

  /** Records the failure on the event's stream through `onPoison`, or parks the event. */
  async function setAside(event: RecordedEvent, failure: GivenUp, { client }: Lead) {
    const what = `${event.type} at ${event.position} in ${event.streamId}`;
    const recorded = await (options.onPoison?.(event, failure) ?? Promise.resolve(false)).catch(
      (error: Error) => {
        log("error", `reactor ${name}: recording the failure of ${what} failed: ${error.message}`);
        return false;
      },
    );
    if (recorded) {
      log(
        "error",
        `reactor ${name}: gave up on ${what} after ${failure.attempts} attempts, recorded as a failure of its stream: ${failure.error}`,
      );
      return;
    }
    await parkEvent(client, schema, { kind: "reactor", name }, event, failure);
    log("error", `reactor ${name}: parked ${what} after ${failure.attempts} attempts: ${failure.error}`);
  }

  const run = runProcessor({
    kind: "reactor",
    name,
    store,
    pool,
    schema,
    filter: options.filter,
    startAt: options.startAt ?? "start",
    batchSize: 1,
    retry: options.retry ?? defaultRetryPolicy,
    standbyPollMs: options.standbyPollMs ?? 1_000,
    async prepare() {
      await migrate(pool, schema, [...reactorCheckpointMigrations(schema), ...deadLetterMigrations(schema)]);
    },
    log,
    checkpointing: {
      async load({ client }) {
        const { rows } = await client.query<{ checkpoint: string; position: string }>(
          `select checkpoint, position from "${schema}".reactor_checkpoints where name = $1`,
          [name],
        );
        return { checkpoint: rows[0]?.checkpoint, position: Number(rows[0]?.position ?? 0) };
      },
      async commit(events, lead, _from, signal) {
        for (const event of events) {
          await options.handle(event, signal);
          await save(lead, event.checkpoint, event.position);
        }
        return true;
      },
      async giveUp(event, failure, lead) {
        await setAside(event, failure, lead);
        await save(lead, event.checkpoint, event.position);
        return true;
      },
      async passed(checkpoint, position, lead) {
        // Only other events went by: remember that now and then, so a restart need not scan them again.
        if (Date.now() - savedAt >= skippedSaveIntervalMs) await save(lead, checkpoint, position);
      },
      blame: async () => ((await healthy()) ? "event" : "elsewhere"),
    },
  });

  return {
    name,
    status() {
      const { state, error, ...rest } = run.status();
      const reactorState: ReactorState = state === "catching-up" || state === "live" ? "running" : state;
      return { state: reactorState, ...rest, ...(error ? { lastError: error } : {}) };
    },
    stop: run.stop,
  };
}
