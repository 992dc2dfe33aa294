// Workers through a real kernel: drain, undrain and remove as events on worker-{id}, seen in
// GET /v1/workers/{id}; the codes of the spec for unknown, online and offline workers; admins only.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { currentSchemaVersion } from "../../schemas/events/currentSchemaVersion.ts";
import { workerStream } from "../../schemas/events/streamNames.ts";
import type { WorkerEvent } from "../../schemas/events/workerEvents.ts";
import { startTestKernel, type TestKernel } from "../../test/support/testKernel.ts";

let k: TestKernel;
let admin: string;
let operator: string;
let viewer: string;

beforeAll(async () => {
  k = await startTestKernel("worker_routes");
  admin = (await k.tokenFor("admin")).token;
  operator = (await k.tokenFor("operator")).token;
  viewer = (await k.tokenFor("viewer")).token;
});
afterAll(async () => {
  await k?.stop();
});

const call = (method: string, path: string, token: string) =>
  fetch(`${k.kernel.url}${path}`, { method, headers: { authorization: `Bearer ${token}` } });

async function appendWorkerEvent(event: WorkerEvent) {
  const context = {
    correlationId: randomUUID(),
    causationId: randomUUID(),
    actor: { userId: "w", role: "system" },
  };
  await k.db.store.append(
    workerStream.name(event.data.workerId),
    [
      {
        id: randomUUID(),
        type: event.type,
        data: event.data,
        metadata: {
          ...context,
          occurredAt: new Date().toISOString(),
          schemaVersion: currentSchemaVersion(event.type),
        },
      },
    ],
    { expected: "any" },
  );
}

async function startedWorker(): Promise<string> {
  const workerId = `encoder-${randomUUID().slice(0, 8)}`;
  await appendWorkerEvent({
    type: "WorkerStarted",
    data: {
      workerId,
      hostname: "encoder",
      pid: 4242,
      capabilities: {
        encoders: [{ name: "libx264", codec: "h264", hardware: false }],
        hwaccels: [],
        audioCodecs: ["aac"],
        containers: ["mp4"],
        cpuCores: 4,
        memoryBytes: 8 * 1024 ** 3,
        gpus: [],
        maxParallelTasks: 1,
        version: "0.1.0",
      },
    },
  });
  return workerId;
}

/** The read model, once the projector has reached the position a command answered with. */
async function shown(workerId: string, position: string | null) {
  const response = await call("GET", `/v1/workers/${workerId}?min_position=${position ?? 0}`, viewer);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("worker commands", () => {
  it("drains and undrains an online worker, as events, shown in its detail", async () => {
    const workerId = await startedWorker();
    const listed = await eventually(
      () => shown(workerId, null),
      (r) => r.status === 200,
    );
    expect(listed.body).toMatchObject({
      id: workerId,
      status: "online",
      draining: false,
      capabilities: { cpu_cores: 4, memory_bytes: 8 * 1024 ** 3, max_parallel_tasks: 1, version: "0.1.0" },
      running_tasks: [],
      tasks_done: 0,
      mean_task_seconds: null,
      recent_errors: [],
      quarantined: null,
    });

    const drained = await call("POST", `/v1/workers/${workerId}/drain`, admin);
    expect(drained.status).toBe(200);
    expect(await drained.json()).toEqual({
      id: workerId,
      status: "online",
      draining: true,
      quarantined: false,
    });
    expect(
      (
        await eventually(
          () => shown(workerId, null),
          (r) => r.body.draining === true,
        )
      ).body.draining,
    ).toBe(true);
    // a repeat changes nothing and appends nothing
    const again = await call("POST", `/v1/workers/${workerId}/drain`, admin);
    expect(again.status).toBe(200);
    const events = await k.db.store.readStream(workerStream.name(workerId));
    expect(events.map((e) => e.type)).toEqual(["WorkerStarted", "WorkerDrained"]);

    const undrained = await call("POST", `/v1/workers/${workerId}/undrain`, admin);
    expect(await undrained.json()).toEqual({
      id: workerId,
      status: "online",
      draining: false,
      quarantined: false,
    });
    expect(
      (
        await eventually(
          () => shown(workerId, null),
          (r) => r.body.draining === false,
        )
      ).body.draining,
    ).toBe(false);
  });

  it("answers WE-WRK-001 for an unknown worker, WE-WRK-002 when removing an online one, WE-WRK-003 when draining one that stopped", async () => {
    const unknown = await call("POST", "/v1/workers/no-such-worker/drain", admin);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: "WE-WRK-001" } });
    const detail = await call("GET", "/v1/workers/no-such-worker", viewer);
    expect(detail.status).toBe(404);
    expect(await detail.json()).toMatchObject({ error: { code: "WE-WRK-001" } });

    const workerId = await startedWorker();
    const online = await call("DELETE", `/v1/workers/${workerId}`, admin);
    expect(online.status).toBe(409);
    expect(await online.json()).toMatchObject({
      error: { code: "WE-WRK-002", hint: expect.stringContaining("Drain") },
    });

    await appendWorkerEvent({ type: "WorkerStopped", data: { workerId, reason: "stopped" } });
    const offline = await call("POST", `/v1/workers/${workerId}/drain`, admin);
    expect(offline.status).toBe(410);
    expect(await offline.json()).toMatchObject({ error: { code: "WE-WRK-003" } });

    const removed = await call("DELETE", `/v1/workers/${workerId}`, admin);
    expect(removed.status).toBe(200);
    expect(await removed.json()).toEqual({
      id: workerId,
      status: "removed",
      draining: false,
      quarantined: false,
    });
    expect(
      (
        await eventually(
          () => shown(workerId, null),
          (r) => r.status === 404,
        )
      ).status,
    ).toBe(404);
  });

  it("shows a quarantined worker with its reason and since when, until an admin lifts it", async () => {
    const workerId = await startedWorker();
    const reason = "3 task attempts failed in a row (transient) within 30 min";
    await appendWorkerEvent({
      type: "WorkerQuarantined",
      data: { workerId, exitClass: "transient", failures: 3, reason },
    });
    const quarantined = await eventually(
      () => shown(workerId, null),
      (r) => r.body.quarantined !== null && r.body.quarantined !== undefined,
    );
    expect(quarantined.body.quarantined).toEqual({
      reason,
      exit_class: "transient",
      since: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });
    const list = (await (await call("GET", "/v1/workers", viewer)).json()) as {
      workers: { id: string; quarantined: unknown }[];
    };
    expect(list.workers.find((w) => w.id === workerId)?.quarantined).toMatchObject({ reason });

    for (const token of [viewer, operator]) {
      expect((await call("POST", `/v1/workers/${workerId}/unquarantine`, token)).status).toBe(403);
    }
    const lifted = await call("POST", `/v1/workers/${workerId}/unquarantine`, admin);
    expect(lifted.status).toBe(200);
    expect(await lifted.json()).toEqual({
      id: workerId,
      status: "online",
      draining: false,
      quarantined: false,
    });
    expect(
      (
        await eventually(
          () => shown(workerId, null),
          (r) => r.body.quarantined === null,
        )
      ).body.quarantined,
    ).toBeNull();
    // lifting again changes nothing
    expect((await call("POST", `/v1/workers/${workerId}/unquarantine`, admin)).status).toBe(200);
    expect((await k.db.store.readStream(workerStream.name(workerId))).map((e) => e.type)).toEqual([
      "WorkerStarted",
      "WorkerQuarantined",
      "WorkerUnquarantined",
    ]);
  });

  it("lets only admins drain, undrain and remove", async () => {
    const workerId = await startedWorker();
    for (const token of [viewer, operator]) {
      for (const [method, path] of [
        ["POST", `/v1/workers/${workerId}/drain`],
        ["POST", `/v1/workers/${workerId}/undrain`],
        ["DELETE", `/v1/workers/${workerId}`],
      ] as const) {
        const response = await call(method, path, token);
        expect(response.status).toBe(403);
        expect(await response.json()).toMatchObject({ error: { code: "WE-AUTH-003" } });
      }
    }
    const anonymous = await fetch(`${k.kernel.url}/v1/workers/${workerId}/drain`, { method: "POST" });
    expect(anonymous.status).toBe(401);
    expect((await k.db.store.readStream(workerStream.name(workerId))).map((e) => e.type)).toEqual([
      "WorkerStarted",
    ]);
  });
});
