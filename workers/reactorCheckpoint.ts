// Runs a reactor: a process that acts on stored events (plans jobs, dispatches tasks, publishes outputs).
// Unlike a projector it is never replayed by a rebuild: it keeps its own checkpoint, saved after each
// handled event (at-least-once, so handlers are idempotent), and runs single-active across processes.
import type pg from "pg";
import type { AllFilter, EventStore, RecordedEvent } from "../domain/ports/eventStore.ts";
import { migrate } from "../infra/postgres/migrate.ts";
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

export interface Reactor {
  readonly name: string;
  status(): { state: ReactorState; position: number; lastError?: string };
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
  /** Backoff of a failing handler, from `first` doubling up to `max`. Default 500 ms to 30 s. */
  retryDelayMs?: { first: number; max: number };
  log?: WorkerLog;
}

const lockKey = (schema: string, name: string) => `webencode-reactor:${schema}:${name}`;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

export function runReactor(options: RunReactorOptions): Reactor {
  const { name, store, pool, schema } = options;
  const log = options.log ?? silentLog;
  const standbyPollMs = options.standbyPollMs ?? 1_000;
  const retry = options.retryDelayMs ?? { first: 500, max: 30_000 };
  const stopping = new AbortController();
  let state: ReactorState = "standby";
  let position = 0;
  let lastError: string | undefined;

  /** A connection holding the reactor's advisory lock; null once stopped. */
  async function lead(): Promise<pg.PoolClient | null> {
    while (!stopping.signal.aborted) {
      const client = await pool.connect();
      try {
        const { rows } = await client.query<{ ok: boolean }>(
          "select pg_try_advisory_lock(hashtext($1)) as ok",
          [lockKey(schema, name)],
        );
        if (rows[0]?.ok) return client;
      } catch (error) {
        client.release(error as Error);
        throw error;
      }
      client.release();
      await sleep(standbyPollMs, stopping.signal);
    }
    return null;
  }

  /** Handles events until stopped or until the lead is lost (the lock's connection failed). */
  async function runWhileLeading(leader: pg.PoolClient) {
    const lost = new AbortController();
    const onLost = () => lost.abort();
    leader.on("error", onLost);
    const signal = AbortSignal.any([stopping.signal, lost.signal]);
    const { rows } = await leader.query<{ checkpoint: string; position: string }>(
      `select checkpoint, position from "${schema}".reactor_checkpoints where name = $1`,
      [name],
    );
    position = Number(rows[0]?.position ?? 0);
    const subscription = store.subscribeToAll({
      from: rows[0]?.checkpoint ?? options.startAt ?? "start",
      filter: options.filter,
      signal,
    });
    state = "running";
    try {
      for await (const message of subscription) {
        if (message.type !== "event") continue;
        if (!(await handleWithRetry(message.event, signal))) return;
        // On the lock's own connection: a process that lost the lead cannot move the checkpoint.
        await leader.query(
          `insert into "${schema}".reactor_checkpoints (name, checkpoint, position) values ($1, $2, $3)
           on conflict (name) do update set checkpoint = excluded.checkpoint, position = excluded.position,
             updated_at = now()
           where reactor_checkpoints.position < excluded.position`,
          [name, message.event.checkpoint, message.event.position],
        );
        position = message.event.position;
      }
    } finally {
      leader.off("error", onLost);
      await subscription.close();
    }
  }

  /** True once handled; false when stopped (or the lead was lost) before it was. */
  async function handleWithRetry(event: RecordedEvent, signal: AbortSignal): Promise<boolean> {
    for (let delay = retry.first; !signal.aborted; delay = Math.min(delay * 2, retry.max)) {
      try {
        await options.handle(event, signal);
        if (state === "retrying") state = "running";
        lastError = undefined;
        return true;
      } catch (error) {
        if (signal.aborted) return false;
        state = "retrying";
        lastError = (error as Error).message;
        log(
          "warn",
          `reactor ${name}: ${event.type} at ${event.position} failed, retrying in ${delay} ms: ${lastError}`,
        );
        await sleep(delay, signal);
      }
    }
    return false;
  }

  const done = (async () => {
    while (!stopping.signal.aborted) {
      let leader: pg.PoolClient | null = null;
      try {
        await migrate(pool, schema, reactorCheckpointMigrations(schema));
        leader = await lead();
        if (!leader) break;
        log("info", `reactor ${name} leads`);
        await runWhileLeading(leader);
      } catch (error) {
        if (stopping.signal.aborted) break;
        lastError = (error as Error).message;
        log("error", `reactor ${name}: ${lastError}; again in 1 s`);
      } finally {
        if (leader) {
          // Unlocking fails on a dead connection; releasing it destroyed ends its lock as well.
          const unlocked = await leader
            .query("select pg_advisory_unlock(hashtext($1))", [lockKey(schema, name)])
            .then(() => true)
            .catch(() => false);
          leader.release(!unlocked);
        }
      }
      state = "standby";
      await sleep(1_000, stopping.signal);
    }
    state = "stopped";
  })();

  return {
    name,
    status: () => ({ state, position, ...(lastError ? { lastError } : {}) }),
    async stop() {
      stopping.abort();
      await done;
    },
  };
}
