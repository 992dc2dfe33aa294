// Runs one projector: subscribes after its checkpoint, applies events in batches and commits the
// read-model writes with the new checkpoint in one transaction (exactly-once effect). Single-active:
// among all processes only the holder of the projector's advisory lock runs it; the others stand by
// and take over when the holder's connection dies.
import type pg from "pg";
import type { EventStore, RecordedEvent, SubscriptionMessage } from "../domain/ports/eventStore.ts";
import { lockCheckpoint, saveCheckpoint } from "./projectionCheckpoints.ts";
import { ProjectionError, type Projector, transactionContext } from "./projector.ts";
import { ensureReadModel, liveTable } from "./readModelTables.ts";

export type RunnerState = "standby" | "catching-up" | "live" | "failed" | "stopped";

export interface ProjectorRunner {
  readonly name: string;
  status(): { state: RunnerState; position: number; error?: string };
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
        if (batch.events.length > 0) {
          if (!(await applyBatch(batch.events, position))) return;
          position = batch.events.at(-1)!.position;
        }
        seen = Math.max(seen, batch.seen);
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
        if (failure instanceof ProjectionError) {
          state = "failed";
          error = failure.message;
          log("error", failure.message);
          wake();
          return;
        }
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
    status: () => ({ state, position, ...(error ? { error } : {}) }),
    waitForPosition(target, timeoutMs) {
      const reached = () => Math.max(position, seen) >= target;
      if (reached()) return Promise.resolve(true);
      return new Promise((resolve) => {
        const check = () => {
          if (reached() || state === "failed") finish(reached());
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
