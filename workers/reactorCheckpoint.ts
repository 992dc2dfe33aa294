// Runs a reactor: a process that acts on stored events (plans jobs, dispatches tasks, publishes outputs).
// Unlike a projector it is never replayed by a rebuild: it keeps its own checkpoint, saved after each
// handled event (at-least-once, so handlers are idempotent), and runs single-active across processes.
// An event whose handling keeps failing is given up on after bounded retries: its `onPoison` hook turns
// it into a failure event on its own stream, or it is parked in the dead-letter list; either way the
// reactor moves on.
import type pg from "pg";
import type { AllFilter, EventStore, RecordedEvent } from "../domain/ports/eventStore.ts";
import { migrate } from "../infra/postgres/migrate.ts";
import { deadLetterMigrations, parkEvent } from "../infra/processors/deadLetters.ts";
import {
  defaultRetryPolicy,
  type GivenUp,
  type RetryPolicy,
  retryBounded,
  storeAndDatabaseHealthy,
} from "../infra/processors/retryBounded.ts";
import { sleepUnlessAborted } from "./sleepUnlessAborted.ts";
import { silentLog, type WorkerLog } from "./workerLog.ts";

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

export type ReactorState = "standby" | "running" | "retrying" | "stopped";

export interface ReactorStatus {
  state: ReactorState;
  /** The position of the last event handled (or passed over) and saved. */
  position: number;
  /** Since when (epoch ms) the current event has been failing; absent while none is. */
  retryingSince?: number;
  lastError?: string;
}

export interface Reactor {
  readonly name: string;
  status(): ReactorStatus;
  /** Stops taking events; the event being handled is finished (its handler sees the signal abort). */
  stop(): Promise<void>;
}

export interface RunReactorOptions {
  name: string;
  store: EventStore;
  pool: pg.Pool;
  /** Schema of the `reactor_checkpoints` table (created if missing). */
  schema: string;
  filter?: AllFilter;
  /** Must be idempotent: an event may be handled again after a crash or a change of leader. */
  handle(event: RecordedEvent, signal: AbortSignal): Promise<void>;
  /** Where a reactor without a checkpoint begins. Default "start": nothing was reacted to yet. */
  startAt?: "start" | "end";
  /** How often a standby tries to take the lead. Default 1 000 ms. */
  standbyPollMs?: number;
  /** Attempts and backoff of a failing handler. Default 5 attempts, 500 ms doubling up to 30 s. */
  retry?: RetryPolicy;
  /**
   * An event given up on: record it as a failure on the stream it concerns and answer true, or answer
   * false (or throw) to have it parked in the dead-letter list. Without a hook it is parked.
   */
  onPoison?(event: RecordedEvent, failure: GivenUp): Promise<boolean>;
  /**
   * What the handler needs besides the event store and the database (a work queue). A failure while
   * this answers false is not counted against the event. Default: nothing more.
   */
  dependenciesHealthy?(): Promise<boolean>;
  /** How often to save a position that only events the filter skips went past. Default 5 000 ms. */
  skippedSaveIntervalMs?: number;
  log?: WorkerLog;
}

const lockKey = (schema: string, name: string) => `webencode-reactor:${schema}:${name}`;

export function runReactor(options: RunReactorOptions): Reactor {
  const { name, store, pool, schema } = options;
  const log = options.log ?? silentLog;
  const standbyPollMs = options.standbyPollMs ?? 1_000;
  const retry = options.retry ?? defaultRetryPolicy;
  const storeHealthy = storeAndDatabaseHealthy(store, pool);
  const healthy = async () =>
    (await storeHealthy()) && ((await options.dependenciesHealthy?.().catch(() => false)) ?? true);
  const skippedSaveIntervalMs = options.skippedSaveIntervalMs ?? 5_000;
  const stopping = new AbortController();
  let state: ReactorState = "standby";
  let position = 0;
  let lastError: string | undefined;
  let retryingSince: number | undefined;
  /** Beyond `position`: how far the subscription read past events the filter skips. */
  let passed = 0;

  interface Lead {
    client: pg.PoolClient;
    /** Aborts when the lock's connection fails: the lock is gone with it. */
    lost: AbortSignal;
    release(): Promise<void>;
  }

  /** A connection holding the reactor's advisory lock; null once stopped. */
  async function lead(): Promise<Lead | null> {
    while (!stopping.signal.aborted) {
      const client = await pool.connect();
      // A checked-out client that fails between queries emits "error"; unheard, it would end the process.
      const lost = new AbortController();
      const onError = () => lost.abort();
      client.on("error", onError);
      let locked: boolean;
      try {
        const { rows } = await client.query<{ ok: boolean }>(
          "select pg_try_advisory_lock(hashtext($1)) as ok",
          [lockKey(schema, name)],
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
            const unlocked = await client
              .query("select pg_advisory_unlock(hashtext($1))", [lockKey(schema, name)])
              .then(
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
      await sleepUnlessAborted(standbyPollMs, stopping.signal);
    }
    return null;
  }

  /** Handles events until stopped or until the lead is lost. */
  async function runWhileLeading({ client, lost }: Lead) {
    const signal = AbortSignal.any([stopping.signal, lost]);
    const { rows } = await client.query<{ checkpoint: string; position: string }>(
      `select checkpoint, position from "${schema}".reactor_checkpoints where name = $1`,
      [name],
    );
    position = Number(rows[0]?.position ?? 0);
    const subscription = store.subscribeToAll({
      from: rows[0]?.checkpoint ?? options.startAt ?? "start",
      filter: options.filter,
      signal,
    });
    // On the lock's own connection: a process that lost the lead cannot move the checkpoint.
    let savedAt = 0;
    const save = async (checkpoint: string, at: number) => {
      await client.query(
        `insert into "${schema}".reactor_checkpoints (name, checkpoint, position) values ($1, $2, $3)
         on conflict (name) do update set checkpoint = excluded.checkpoint, position = excluded.position,
           updated_at = now()
         where reactor_checkpoints.position < excluded.position`,
        [name, checkpoint, at],
      );
      position = at;
      savedAt = Date.now();
    };
    state = "running";
    try {
      for await (const message of subscription) {
        if (message.type === "event") {
          if (!(await handleWithRetry(message.event, client, signal))) return;
          await save(message.event.checkpoint, message.event.position);
        } else if (message.type === "checkpoint") {
          passed = Math.max(passed, message.position);
          if (Date.now() - savedAt < skippedSaveIntervalMs) continue;
          // Only other events went by: remember that now and then, so a restart need not scan them again.
          await save(message.checkpoint, message.position);
        }
      }
    } finally {
      await subscription.close();
    }
  }

  /** True once handled or given up on; false when stopped (or the lead was lost) before either. */
  async function handleWithRetry(event: RecordedEvent, client: pg.PoolClient, signal: AbortSignal) {
    const attempted = await retryBounded(() => options.handle(event, signal), {
      policy: retry,
      signal,
      blame: async () => ((await healthy()) ? "event" : "elsewhere"),
      onRetry(error, delay, counted) {
        state = "retrying";
        retryingSince ??= Date.now();
        lastError = error.message;
        log(
          "warn",
          `reactor ${name}: ${event.type} at ${event.position} failed, retrying in ${delay} ms${counted ? "" : " (a dependency is down: not counted)"}: ${lastError}`,
        );
      },
    });
    if (attempted._tag === "Aborted") return false;
    if (attempted._tag === "GivenUp") await giveUp(event, attempted.failure, client);
    state = "running";
    retryingSince = undefined;
    lastError = undefined;
    return true;
  }

  async function giveUp(event: RecordedEvent, failure: GivenUp, client: pg.PoolClient) {
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

  const done = (async () => {
    while (!stopping.signal.aborted) {
      let leading: Lead | null = null;
      try {
        await migrate(pool, schema, [
          ...reactorCheckpointMigrations(schema),
          ...deadLetterMigrations(schema),
        ]);
        leading = await lead();
        if (!leading) break;
        log("info", `reactor ${name} leads`);
        await runWhileLeading(leading);
      } catch (error) {
        if (stopping.signal.aborted) break;
        lastError = (error as Error).message;
        log("error", `reactor ${name}: ${lastError}; again in 1 s`);
      } finally {
        await leading?.release();
      }
      state = "standby";
      await sleepUnlessAborted(1_000, stopping.signal);
    }
    state = "stopped";
  })();

  return {
    name,
    status: () => ({
      state,
      position: Math.max(position, passed),
      ...(retryingSince === undefined ? {} : { retryingSince }),
      ...(lastError ? { lastError } : {}),
    }),
    async stop() {
      stopping.abort();
      await done;
    },
  };
}
