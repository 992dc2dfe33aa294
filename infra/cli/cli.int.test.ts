import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateJobHistories, type JobHistory } from "../../test/support/jobHistories.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/testDatabase.ts";
import { openPostgresEventStore } from "../eventstore/postgres/postgresEventStore.ts";

const run = promisify(execFile);
const bin = fileURLToPath(new URL("../../bin/webencode.mjs", import.meta.url));

let database: TestDatabase;
let histories: JobHistory[];
let total = 0;

const webencode = (...args: string[]) =>
  run(process.execPath, [bin, ...args], {
    env: { ...process.env, DATABASE_URL: database.url },
    timeout: 60_000,
  });

beforeAll(async () => {
  database = await createTestDatabase("cli");
  const store = await openPostgresEventStore({ url: database.url });
  histories = generateJobHistories(150, 17);
  for (const h of histories) {
    await store.append(h.streamId, h.events, { expected: "no_stream" });
    total += h.events.length;
  }
  await store.close();
});
afterAll(() => database.drop());

describe("webencode CLI", () => {
  it("projections rebuild replays the log into fresh tables, reporting progress and events/s", async () => {
    const { stdout, stderr } = await webencode("projections", "rebuild", "jobs");
    expect(stderr).toMatch(/rebuilding jobs \d+% .*events\/s/);
    expect(stderr).toMatch(new RegExp(`rebuilt jobs: ${total} events in [\\d.]+ s \\([\\d,]+ events/s\\)`));
    expect(stdout).toBe("");
    const pool = new pg.Pool({ connectionString: database.url });
    const { rows } = await pool.query<{ n: number }>("select count(*)::int as n from webencode.job_timeline");
    expect(rows[0]!.n).toBe(total);
    await pool.end();

    const status = await webencode("projections", "status");
    expect(status.stdout).toMatch(new RegExp(`jobs +position ${total} of ${total}`));
  });

  it("events replay prints a stream's history and the state it folds to, up to a position", async () => {
    const history = histories.find((h) => h.events.some((e) => e.type === "JobCompleted"))!;
    const full = await webencode("events", "replay", "--stream", history.streamId);
    expect(full.stdout).toContain(`stream ${history.streamId}: ${history.events.length} events`);
    expect(full.stdout).toMatch(/"status": "completed"/);

    const json = JSON.parse(
      (await webencode("events", "replay", "--stream", history.streamId, "--json")).stdout,
    );
    const planned = json.events.find((e: { type: string }) => e.type === "JobPlanned");
    const early = await webencode(
      "events",
      "replay",
      "--stream",
      history.streamId,
      "--until",
      String(planned.position),
    );
    expect(early.stdout).toMatch(/JobPlanned/);
    expect(early.stdout).not.toMatch(/TaskStarted/);
    expect(early.stdout).toMatch(/"status": "queued"/);

    const occurredAt = planned.metadata.occurredAt as string;
    const byTime = await webencode("events", "replay", "--stream", history.streamId, "--until", occurredAt);
    const body = (out: string) => out.split("\n").slice(1).join("\n"); // first line names the bound
    expect(body(byTime.stdout)).toBe(body(early.stdout));
  });

  it("explains bad input instead of failing obscurely", async () => {
    await expect(
      webencode("events", "replay", "--stream", "job-nope", "--until", "yesterday"),
    ).rejects.toMatchObject({
      stderr: expect.stringContaining("--until takes a position or an ISO time"),
    });
    await expect(webencode("projections", "rebuild", "nope")).rejects.toMatchObject({
      stderr: expect.stringContaining("no projector named nope"),
    });
    await expect(webencode("events", "replay", "--stream", "job-unknown")).rejects.toMatchObject({
      stderr: expect.stringContaining("no events in stream job-unknown"),
    });
  });

  it("tokens create, list and revoke work on the installation's event log", async () => {
    const created = await webencode(
      "tokens",
      "create",
      "--role",
      "viewer",
      "--name",
      "dashboard on the wall",
    );
    const secret = created.stdout.trim();
    expect(secret).toMatch(/^we_[0-9a-f]{32}_[A-Za-z0-9_-]{32}$/);
    expect(created.stderr).toMatch(/created viewer token [0-9a-f-]{36} \(dashboard on the wall\)/);
    const id = /token ([0-9a-f-]{36})/.exec(created.stderr)![1]!;

    const listed = JSON.parse((await webencode("tokens", "list", "--json")).stdout) as Array<
      Record<string, unknown>
    >;
    expect(listed).toContainEqual(expect.objectContaining({ id, role: "viewer", active: true }));
    expect(JSON.stringify(listed)).not.toContain(secret.slice(-32)); // the secret is stored nowhere

    await webencode("tokens", "revoke", id);
    const after = JSON.parse((await webencode("tokens", "list", "--json")).stdout) as Array<
      Record<string, unknown>
    >;
    expect(after).toContainEqual(expect.objectContaining({ id, status: "revoked", active: false }));
    await expect(webencode("tokens", "create", "--role", "god")).rejects.toMatchObject({
      stderr: expect.stringContaining("--role must be one of viewer, operator, admin"),
    });
  });
});
