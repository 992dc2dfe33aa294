import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJobCommands } from "../../commands/jobs/createJobCommands.ts";
import { executeJobCommand, loadJob } from "../../commands/jobs/executeJobCommand.ts";
import type { RecordedEvent } from "../../domain/ports/eventStore.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/testDatabase.ts";
import { failJobOfEvent } from "../../workers/reactors/failJobOfEvent.ts";
import {
  openPostgresEventStore,
  type PostgresEventStore,
} from "../eventstore/postgres/postgresEventStore.ts";
import { runReactor } from "./runReactor.ts";

let database: TestDatabase;
let store: PostgresEventStore;
let pool: pg.Pool;

beforeAll(async () => {
  database = await createTestDatabase("reactors");
  store = await openPostgresEventStore({ url: database.url, schema: "ev", pollMs: 100 });
  pool = new pg.Pool({ connectionString: database.url, max: 8 });
});
afterAll(async () => {
  await pool.end();
  await store.close();
  await database.drop();
});

const metadata = () => ({
  correlationId: randomUUID(),
  causationId: randomUUID(),
  actor: { userId: "u", role: "system" },
  schemaVersion: 1,
  occurredAt: new Date().toISOString(),
});

async function appendPings(stream: string, count: number): Promise<string[]> {
  const events = Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    type: "Ping",
    data: { i },
    metadata: metadata(),
  }));
  await store.append(stream, events, { expected: "any" });
  return events.map((e) => e.id);
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const checkpointOf = async (schema: string, name: string) =>
  Number(
    (await pool.query(`select position from "${schema}".reactor_checkpoints where name = $1`, [name])).rows[0]
      ?.position ?? 0,
  );

describe("runReactor", () => {
  it("handles matching events in order, saves its checkpoint after each, and resumes after it", async () => {
    const prefix = `ping-${randomUUID().slice(0, 8)}`;
    const first = await appendPings(`${prefix}-a`, 3);
    await appendPings(`other-${randomUUID()}`, 2); // filtered out
    const seen: string[] = [];
    const options = {
      name: "resume",
      store,
      pool,
      schema: "rx",
      filter: { streamPrefixes: [prefix] },
      handle: async (event: RecordedEvent) => void seen.push(event.id),
    };
    const reactor = runReactor(options);
    await waitFor("the first events", () => seen.length === 3);
    await reactor.stop();
    expect(seen).toEqual(first);
    expect(await checkpointOf("rx", "resume")).toBeGreaterThan(0);

    const second = await appendPings(`${prefix}-b`, 2);
    const again = runReactor(options);
    await waitFor("the new events", () => seen.length === 5);
    expect(again.status().state).toBe("running");
    await again.stop();
    expect(seen).toEqual([...first, ...second]); // none handled twice after a clean stop
  });

  it("retries a failing handler on the same event instead of skipping it", async () => {
    const prefix = `ping-${randomUUID().slice(0, 8)}`;
    const ids = await appendPings(prefix, 2);
    const calls: string[] = [];
    let failures = 2;
    const reactor = runReactor({
      name: "retry",
      store,
      pool,
      schema: "rx",
      filter: { streamPrefixes: [prefix] },
      retry: { maxAttempts: 5, firstDelayMs: 20, maxDelayMs: 40 },
      handle: async (event) => {
        calls.push(event.id);
        if (event.id === ids[0] && failures-- > 0) throw new Error("not yet");
      },
    });
    await waitFor("both handled", () => calls.length === 4);
    await reactor.stop();
    expect(calls).toEqual([ids[0], ids[0], ids[0], ids[1]]);
  });

  it("gives up on an event that keeps failing after its bounded attempts, parks it, and handles the next", async () => {
    const prefix = `ping-${randomUUID().slice(0, 8)}`;
    const [poison, next] = await appendPings(prefix, 2);
    const calls: string[] = [];
    const reactor = runReactor({
      name: "poisoned",
      store,
      pool,
      schema: "rx",
      filter: { streamPrefixes: [prefix] },
      retry: { maxAttempts: 3, firstDelayMs: 10, maxDelayMs: 20 },
      handle: async (event) => {
        calls.push(event.id);
        if (event.id === poison) throw new Error("cannot handle this one");
      },
    });
    await waitFor("the event behind the poison", () => calls.includes(next!));
    await reactor.stop();
    expect(calls).toEqual([poison, poison, poison, next]);
    const { rows } = await pool.query(
      `select kind, processor, event_id, stream, type, error, attempts, position,
              first_failed_at <= last_failed_at as ordered
         from rx.dead_letters where processor = 'poisoned'`,
    );
    const [parked] = (await store.readStream(prefix)).filter((e) => e.id === poison);
    expect(rows).toEqual([
      {
        kind: "reactor",
        processor: "poisoned",
        event_id: poison,
        stream: prefix,
        type: "Ping",
        error: "cannot handle this one",
        attempts: 3,
        position: String(parked!.position),
        ordered: true,
      },
    ]);
    expect(await checkpointOf("rx", "poisoned")).toBeGreaterThan(parked!.position);
  });

  it("hands an event it gave up on to its onPoison hook, and parks it only when the hook fails", async () => {
    const prefix = `ping-${randomUUID().slice(0, 8)}`;
    const [recorded, hookFails, next] = await appendPings(prefix, 3);
    const handed: string[] = [];
    const handled: string[] = [];
    const reactor = runReactor({
      name: "hooked",
      store,
      pool,
      schema: "rx",
      filter: { streamPrefixes: [prefix] },
      retry: { maxAttempts: 2, firstDelayMs: 10, maxDelayMs: 10 },
      handle: async (event) => {
        if (event.id !== next) throw new Error(`poison ${event.id}`);
        handled.push(event.id);
      },
      onPoison: async (event, failure) => {
        handed.push(`${event.id} after ${failure.attempts}`);
        if (event.id === hookFails) throw new Error("the stream refused the failure");
        return true;
      },
    });
    await waitFor("the last event", () => handled.length === 1);
    await reactor.stop();
    expect(handed).toEqual([`${recorded} after 2`, `${hookFails} after 2`]);
    const { rows } = await pool.query(`select event_id from rx.dead_letters where processor = 'hooked'`);
    expect(rows).toEqual([{ event_id: hookFails }]);
  });

  it("does not count failures against the event while a dependency is down, and reports since when it retries", async () => {
    const prefix = `ping-${randomUUID().slice(0, 8)}`;
    const [poison] = await appendPings(prefix, 1);
    let dependencyUp = false;
    let calls = 0;
    const reactor = runReactor({
      name: "outage",
      store,
      pool,
      schema: "rx",
      filter: { streamPrefixes: [prefix] },
      retry: { maxAttempts: 2, firstDelayMs: 10, maxDelayMs: 10 },
      dependenciesHealthy: async () => dependencyUp,
      handle: async () => {
        calls++;
        throw new Error("the queue does not answer");
      },
    });
    await waitFor("many failed attempts", () => calls >= 6);
    expect(reactor.status()).toMatchObject({ state: "retrying", lastError: "the queue does not answer" });
    expect(reactor.status().retryingSince).toBeLessThanOrEqual(Date.now());
    const parked = async () =>
      (await pool.query(`select attempts from rx.dead_letters where event_id = $1`, [poison])).rows;
    expect(await parked()).toEqual([]);
    dependencyUp = true;
    await waitFor("the event to be parked", async () => (await parked()).length === 1);
    expect(await parked()).toEqual([{ attempts: 2 }]);
    await waitFor("the reactor to move on", () => reactor.status().state === "running");
    expect(reactor.status().retryingSince).toBeUndefined();
    await reactor.stop();
  });

  it("runs single-active: a standby takes over from the leader's checkpoint when the leader goes", async () => {
    const prefix = `ping-${randomUUID().slice(0, 8)}`;
    const handledBy: [string, string][] = [];
    const start = (who: string) =>
      runReactor({
        name: "single",
        store,
        pool,
        schema: "rx",
        filter: { streamPrefixes: [prefix] },
        standbyPollMs: 50,
        handle: async (event) => void handledBy.push([who, event.id]),
      });
    const a = start("a");
    await waitFor("a to lead", () => a.status().state === "running");
    const b = start("b");
    const before = await appendPings(prefix, 3);
    await waitFor("a to handle", () => handledBy.length === 3);
    expect(b.status().state).toBe("standby");

    await a.stop();
    const after = await appendPings(prefix, 2);
    await waitFor("b to take over", () => handledBy.length === 5);
    await b.stop();
    expect(handledBy).toEqual([...before.map((id) => ["a", id]), ...after.map((id) => ["b", id])]);
  });

  it("loses the lead when its lock's connection dies, and hands the events on without losing any", async () => {
    const prefix = `ping-${randomUUID().slice(0, 8)}`;
    const handled: string[] = [];
    const options = (name: string) => ({
      name,
      store,
      pool,
      schema: "rx",
      filter: { streamPrefixes: [prefix] },
      standbyPollMs: 50,
      handle: async (event: RecordedEvent) => void handled.push(event.id),
    });
    const reactor = runReactor(options("killed"));
    await waitFor("the lead", () => reactor.status().state === "running");
    const ids = await appendPings(prefix, 2);
    await waitFor("the first events", () => handled.length === 2);
    // kill the session holding the advisory lock, as a crashed process or a cut network would
    const terminated = await pool.query(
      `select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory' and granted
         and objid = (hashtext('webencode-reactor:rx:killed')::bigint & 4294967295)::oid
         and database = (select oid from pg_database where datname = current_database())`,
    );
    expect(terminated.rowCount).toBe(1);
    const more = await appendPings(prefix, 2);
    await waitFor("the later events", () => handled.length >= 4);
    await reactor.stop();
    expect(new Set(handled)).toEqual(new Set([...ids, ...more]));
  });

  it("notes how far it read past events its filter skips, so a restart does not scan them again", async () => {
    const prefix = `ping-${randomUUID().slice(0, 8)}`;
    const reactor = runReactor({
      name: "skipping",
      store,
      pool,
      schema: "rx",
      filter: { streamPrefixes: [prefix] },
      skippedSaveIntervalMs: 0,
      handle: async () => {},
    });
    await waitFor("the lead", () => reactor.status().state === "running");
    await appendPings(`other-${randomUUID()}`, 3);
    const head = await store.headPosition();
    await waitFor(
      "the checkpoint to pass the skipped events",
      async () => (await checkpointOf("rx", "skipping")) >= head,
    );
    await reactor.stop();
  });
});

describe("failJobOfEvent, a reactor's onPoison hook for job events", () => {
  it("fails the job of a job event a reactor gave up on, with its code and why, instead of parking it", async () => {
    const deps = { store, newId: randomUUID, now: () => new Date() };
    const jobId = randomUUID();
    const submitted = await executeJobCommand(
      deps,
      jobId,
      {
        type: "SubmitJob",
        data: {
          jobId,
          userId: "u-alice",
          sourceType: "upload",
          sourceUrl: "fs://clip.mp4",
          profileId: "480p_fast",
          outputConfig: {},
        },
      },
      {
        correlationId: randomUUID(),
        causationId: randomUUID(),
        actor: { userId: "u-alice", role: "operator" },
      },
    );
    expect(submitted._tag).not.toBe("JobRejected");
    const reactor = runReactor({
      name: "planning",
      store,
      pool,
      schema: "rx",
      // only what a planner takes: the JobFailed this test provokes would fail and be parked in its turn
      filter: { streamPrefixes: [`job-${jobId}`], eventTypes: ["JobSubmitted"] },
      retry: { maxAttempts: 2, firstDelayMs: 10, maxDelayMs: 10 },
      handle: async () => {
        throw new Error("the probe crashed");
      },
      onPoison: failJobOfEvent(createJobCommands(deps), "job planner"),
    });
    try {
      let status = "queued";
      for (let i = 0; i < 300 && status !== "failed"; i++) {
        await new Promise((r) => setTimeout(r, 20));
        status = (await loadJob(store, jobId)).state.status;
      }
      const events = await store.readStream(`job-${jobId}`);
      expect(events.map((e) => [e.type, e.data])).toEqual([
        ["JobSubmitted", expect.anything()],
        [
          "JobFailed",
          {
            code: "WE-JOB-008",
            message: "The job planner gave up on JobSubmitted after 2 attempts: the probe crashed",
          },
        ],
      ]);
      expect(events[1]!.metadata).toMatchObject({ causationId: events[0]!.id });
      const parked = await pool.query(`select 1 from rx.dead_letters where processor = 'planning'`);
      expect(parked.rows).toEqual([]);
    } finally {
      await reactor.stop();
    }
  });
});
