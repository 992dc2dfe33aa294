// Runs one projector: subscribes after its checkpoint, applies events in batches and commits the
// read-model writes with the new checkpoint in one transaction (exactly-once effect). Single-active:
// among all processes only the holder of the projector's advisory lock runs it; the others stand by
// and take over when the holder's connection dies. A batch that keeps failing is applied event by event
// to find the event at fault, which is parked in the dead-letter list (with the checkpoint past it, in
// one transaction) so that the events behind it are projected; the rebuild skips it the same way.
import type pg from "pg";
import type { EventStore, RecordedEvent, SubscriptionMessage } from "../domain/ports/eventStore.ts";
import { migrate } from "../infra/postgres/migrate.ts";
import { deadLetterMigrations, parkEvent } from "../infra/processors/deadLetters.ts";
import {
  type Blame,
  defaultRetryPolicy,
  type GivenUp,
  type RetryPolicy,
  retryBounded,
  storeAndDatabaseHealthy,
} from "../infra/processors/retryBounded.ts";
import { lockCheckpoint, saveCheckpoint } from "./projectionCheckpoints.ts";
import { ProjectionError, type Projector, transactionContext } from "./projector.ts";
import { ensureReadModel, liveTable } from "./readModelTables.ts";

export type RunnerState = "standby" | "catching-up" | "live" | "retrying" | "stopped";

export interface ProjectorStatus {
  state: RunnerState;
  position: number;
  /** Since when (epoch ms) the current batch has been failing; absent while none is. */
  retryingSince?: number;
  error?: string;
}

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

const nextTick = () => new Promise<"tick">((resolve) => setImmediate(() => resolve("tick")));

/** Groups what the subscription has ready into batches; waits only when nothing is ready. */
async function* batches(
  iterator: AsyncIterator<SubscriptionMessage>,
  size: number,
): AsyncGenerator<{ events: RecordedEvent[]; caughtUp: boolean; seen: number }> {
  let pending = iterator.next();
  while (true) {
    const first = await pending;
    if (first.done) return;
    pending = iterator.next();
    const events: RecordedEvent[] = [];
    let caughtUp = false;
    let seen = 0;
    const take = (message: SubscriptionMessage) => {
      if (message.type === "event") events.push(message.event);
      else {
        caughtUp ||= message.type === "caughtUp";
        seen = Math.max(seen, message.position ?? 0);
      }
    };
    take(first.value);
    while (events.length < size && !caughtUp) {
      const next = await Promise.race([pending, nextTick()]);
      if (next === "tick") break;
      if (next.done) break;
      pending = iterator.next();
      take(next.value);
    }
    yield { events, caughtUp, seen };
  }
}

export function startProjector(options: RunProjectorOptions): ProjectorRunner {
  const { store, pool, schema, projector } = options;
  const batchSize = options.batchSize ?? 1000;
  const log = options.log ?? (() => {});
  const controller = new AbortController();
  let state: RunnerState = "standby";
  let position = 0;
  /** Beyond `position`: positions the subscription looked at that the filter skipped. */
  let seen = 0;
  let error: string | undefined;
  let retryingSince: number | undefined;
  let caughtUp = false;
  const retry = options.retry ?? defaultRetryPolicy;
  const healthy = storeAndDatabaseHealthy(store, pool);
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const w of waiters) w();
  };

  async function applyBatch(events: readonly RecordedEvent[], from: number): Promise<boolean> {
    const client = await pool.connect();
    try {
      await client.query("begin");
      const checkpoint = await lockCheckpoint(client, schema, projector.name, projector.version);
      if (checkpoint.position !== from) {
        // a rebuild swapped the tables and moved the checkpoint: resubscribe from there
        await client.query("rollback");
        return false;
      }
      await projector.apply(
        events,
        transactionContext(client, (name) => liveTable(schema, name)),
      );
      const last = events.at(-1)!;
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

  /**
   * A projector's own verdict on an event is final; an event type this version does not know waits
   * for a newer version instead of being parked (a rolling upgrade must not lose the new events).
   */
  async function blame(failure: Error): Promise<Blame> {
    if (failure instanceof ProjectionError) {
      return failure.verdict === "unknown_event_type" ? "elsewhere" : "event-for-certain";
    }
    return (await healthy()) ? "event" : "elsewhere";
  }

  const attempt = (events: readonly RecordedEvent[], signal: AbortSignal) =>
    retryBounded(() => applyBatch(events, position), {
      policy: retry,
      signal,
      blame,
      onRetry(failure, delay, counted) {
        state = "retrying";
        retryingSince ??= Date.now();
        error = failure.message;
        log(
          "error",
          `projector ${projector.name}: ${events.length === 1 ? `${events[0]!.type} at ${events[0]!.position}` : `a batch of ${events.length} events up to ${events.at(-1)!.position}`} failed, retrying in ${delay} ms${counted ? "" : " (not counted)"}: ${failure.message}`,
        );
      },
    });

  /** Projects a batch, or each of its events but the one at fault. False: resubscribe (or stopped). */
  async function project(events: readonly RecordedEvent[], signal: AbortSignal): Promise<boolean> {
    const whole = await attempt(events, signal);
    if (whole._tag === "Aborted" || (whole._tag === "Done" && !whole.value)) return false;
    if (whole._tag === "GivenUp") {
      for (const event of events) {
        const single = events.length === 1 ? whole : await attempt([event], signal);
        if (single._tag === "Aborted") return false;
        const moved = single._tag === "Done" ? single.value : await park(event, single.failure, position);
        if (!moved) return false;
        position = event.position;
      }
    }
    position = events.at(-1)!.position;
    if (state === "retrying") state = caughtUp ? "live" : "catching-up";
    retryingSince = undefined;
    error = undefined;
    return true;
  }

  /** Parks an event and moves the checkpoint past it, in one transaction. */
  async function park(event: RecordedEvent, failure: GivenUp, from: number): Promise<boolean> {
    const client = await pool.connect();
    try {
      await client.query("begin");
      const checkpoint = await lockCheckpoint(client, schema, projector.name, projector.version);
      if (checkpoint.position !== from) {
        await client.query("rollback");
        return false;
      }
      await parkEvent(client, schema, { kind: "projector", name: projector.name }, event, failure);
      await saveCheckpoint(client, schema, projector.name, {
        checkpoint: event.checkpoint,
        position: event.position,
        version: projector.version,
      });
      await client.query("commit");
      log(
        "error",
        `projector ${projector.name}: parked ${event.type} at ${event.position} in ${event.streamId} after ${failure.attempts} attempt${failure.attempts === 1 ? "" : "s"}: ${failure.error}`,
      );
      return true;
    } catch (failed) {
      await client.query("rollback").catch(() => {});
      throw failed;
    } finally {
      client.release();
    }
  }

  async function runWhileLeader(signal: AbortSignal) {
    const { rows } = await pool.query<{ checkpoint: string | null; position: string }>(
      `select checkpoint, position from "${schema}".projection_checkpoints where name = $1`,
      [projector.name],
    );
    position = Number(rows[0]?.position ?? 0);
    const subscription = store.subscribeToAll({
      from: rows[0]?.checkpoint ?? "start",
      filter: projector.filter,
      signal,
    });
    state = "catching-up";
    try {
      for await (const batch of batches(subscription[Symbol.asyncIterator](), batchSize)) {
        if (batch.events.length > 0 && !(await project(batch.events, signal))) return;
        seen = Math.max(seen, batch.seen);
        caughtUp ||= batch.caughtUp;
        if (batch.caughtUp && state === "catching-up") {
          state = "live";
          log("info", `projector ${projector.name} caught up at position ${position}`);
        }
        wake();
      }
    } finally {
      await subscription.close();
    }
  }

  async function holdLeadership(onLost: (error: Error) => void): Promise<pg.PoolClient | null> {
    while (!controller.signal.aborted) {
      const client = await pool.connect();
      // the lock lives as long as this connection: when it breaks, leadership is gone with it
      client.on("error", onLost);
      const { rows } = await client.query<{ ok: boolean }>(
        "select pg_try_advisory_lock(hashtext($1)) as ok",
        [`webencode-projector:${schema}:${projector.name}`],
      );
      if (rows[0]?.ok) return client;
      client.off("error", onLost);
      client.release();
      await new Promise((r) => setTimeout(r, 1000));
    }
    return null;
  }

  const done = (async () => {
    await migrate(pool, schema, deadLetterMigrations(schema));
    await ensureReadModel(pool, schema, projector, store, log);
    while (!controller.signal.aborted) {
      let leader: pg.PoolClient | null = null;
      const run = new AbortController();
      let broken: Error | undefined;
      const onLost = (lost: Error) => {
        broken = lost;
        log(
          "error",
          `projector ${projector.name}: lost its database connection (${lost.message}); standing by`,
        );
        run.abort();
      };
      try {
        leader = await holdLeadership(onLost);
        if (!leader) break;
        await runWhileLeader(AbortSignal.any([controller.signal, run.signal]));
      } catch (failure) {
        if (controller.signal.aborted) break;
        log("error", `projector ${projector.name}: ${(failure as Error).message}; retrying in 1 s`);
        await new Promise((r) => setTimeout(r, 1000));
      } finally {
        if (leader) {
          if (!broken) await leader.query("select pg_advisory_unlock_all()").catch(() => {});
          leader.off("error", onLost);
          leader.release(broken);
        }
      }
    }
    state = "stopped";
  })();

  return {
    name: projector.name,
    status: () => ({
      state,
      position: Math.max(position, seen),
      ...(retryingSince === undefined ? {} : { retryingSince }),
      ...(error ? { error } : {}),
    }),
    waitForPosition(target, timeoutMs) {
      const reached = () => Math.max(position, seen) >= target;
      if (reached()) return Promise.resolve(true);
      return new Promise((resolve) => {
        const check = () => {
          if (reached()) finish(true);
        };
        const finish = (ok: boolean) => {
          clearTimeout(timer);
          waiters.delete(check);
          resolve(ok);
        };
        const timer = setTimeout(() => finish(false), timeoutMs);
        waiters.add(check);
      });
    },
    async stop() {
      controller.abort();
      await done;
    },
  };
}
