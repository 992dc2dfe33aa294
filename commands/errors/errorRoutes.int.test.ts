// Error tracking through a real kernel: reports from a signed-in user of any role, listed with filters
// and pages, resolved by operators; bodies over the limit and report floods refused with WE codes; and the
// kernel's own errors (a parked event) reported as the kernel's.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ListErrorsResponse } from "../../schemas/api/errorReportResponses.ts";
import { startTestKernel, type TestKernel } from "../../test/support/testKernel.ts";

let k: TestKernel;
let operator: string;
let viewer: { token: string; userId: string };

beforeAll(async () => {
  k = await startTestKernel("error_routes");
  operator = (await k.tokenFor("operator")).token;
  viewer = await k.tokenFor("viewer");
});
afterAll(async () => {
  await k?.stop();
});

const call = (method: string, path: string, token: string, body?: unknown) =>
  fetch(`${k.kernel.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });

async function report(token: string, body: Record<string, unknown>) {
  const response = await call("POST", "/v1/errors", token, body);
  expect(response.status).toBe(201);
  const position = response.headers.get("x-webencode-position");
  return { ...((await response.json()) as { id: string }), position: Number(position) };
}

async function list(token: string, query: string) {
  const response = await call("GET", `/v1/errors?${query}`, token);
  expect(response.status).toBe(200);
  return (await response.json()) as ListErrorsResponse;
}

const codeOf = async (response: Response) =>
  ((await response.json()) as { error: { code: string } }).error.code;

describe("error tracking API", () => {
  it("takes a viewer's report and lists it with the spec's fields, the reporter and the time it was stored", async () => {
    const before = Date.now();
    const { id, position } = await report(viewer.token, {
      message: "TypeError: cannot read properties of undefined (reading 'tasks')",
      stack_trace: "TypeError: cannot read properties of undefined\n    at JobPage (job.tsx:41:12)",
      context_data: { url: "/en/jobs/42", user_agent: "chromium", kind: "error" },
    });
    const { errors, pagination } = await list(viewer.token, `min_position=${position}&q=reading 'tasks'`);
    expect(pagination).toEqual({ total: 1, limit: 20, offset: 0 });
    expect(errors[0]).toMatchObject({
      id,
      source_component: "frontend",
      severity: "error",
      message: "TypeError: cannot read properties of undefined (reading 'tasks')",
      stack_trace: "TypeError: cannot read properties of undefined\n    at JobPage (job.tsx:41:12)",
      context_data: { url: "/en/jobs/42", user_agent: "chromium", kind: "error" },
      reported_by: viewer.userId,
      resolved: false,
      resolved_at: null,
      resolved_by: null,
    });
    expect(Date.parse(errors[0]!.created_at)).toBeGreaterThanOrEqual(before - 1000);
  });

  it("filters by severity, source, resolved and text, newest first, a page at a time", async () => {
    const tag = randomUUID().slice(0, 8);
    const made: { id: string; severity: string; source: string }[] = [];
    let position = 0;
    for (let i = 0; i < 9; i++) {
      const severity = (["warning", "critical", "fatal"] as const)[i % 3]!;
      const source = i % 2 === 0 ? "frontend" : "plugin:storage-s3";
      const sent = await report(operator, {
        source_component: source,
        severity,
        message: `${tag} failure ${i}`,
      });
      made.push({ id: sent.id, severity, source });
      position = sent.position;
    }
    const all = await list(viewer.token, `q=${tag}&min_position=${position}&limit=4`);
    expect(all.pagination.total).toBe(9);
    expect(all.errors.map((e) => e.message)).toEqual([8, 7, 6, 5].map((i) => `${tag} failure ${i}`));
    const page3 = await list(viewer.token, `q=${tag}&limit=4&offset=8`);
    expect(page3.errors.map((e) => e.id)).toEqual([made[0]!.id]);

    const critical = await list(viewer.token, `q=${tag}&severity=critical`);
    expect(critical.errors.map((e) => e.id).sort()).toEqual(
      made
        .filter((m) => m.severity === "critical")
        .map((m) => m.id)
        .sort(),
    );
    const fromPlugin = await list(viewer.token, `q=${tag}&source=plugin:storage-s3&severity=fatal`);
    expect(fromPlugin.errors.map((e) => e.id).sort()).toEqual(
      made
        .filter((m) => m.severity === "fatal" && m.source !== "frontend")
        .map((m) => m.id)
        .sort(),
    );
    // % and _ are letters in the search, not wildcards
    expect((await list(viewer.token, `q=${tag}%25`)).pagination.total).toBe(0);
    expect((await list(viewer.token, "q=_")).pagination.total).toBe(0);

    const target = made[4]!.id;
    expect((await call("POST", `/v1/errors/${target}/resolve`, viewer.token)).status).toBe(403);
    const resolved = await call("POST", `/v1/errors/${target}/resolve`, operator);
    expect(resolved.status).toBe(200);
    expect(await resolved.json()).toEqual({ id: target, resolved: true });
    const at = resolved.headers.get("x-webencode-position");
    // a second click decides nothing new
    expect((await call("POST", `/v1/errors/${target}/resolve`, operator)).status).toBe(200);
    const done = await list(viewer.token, `q=${tag}&resolved=true&min_position=${at}`);
    expect(done.errors).toHaveLength(1);
    expect(done.errors[0]).toMatchObject({ id: target, resolved: true, resolved_by: expect.any(String) });
    expect(done.errors[0]!.resolved_at).not.toBeNull();
    expect((await list(viewer.token, `q=${tag}&resolved=false`)).pagination.total).toBe(8);
  });

  it("answers what is wrong with a report, an unknown error and a bad filter with WE codes", async () => {
    const kernel = await call("POST", "/v1/errors", viewer.token, {
      source_component: "kernel",
      message: "x",
    });
    expect(kernel.status).toBe(400);
    expect(await codeOf(kernel)).toBe("WE-ERR-002");
    const empty = await call("POST", "/v1/errors", viewer.token, { message: "  " });
    expect(await codeOf(empty)).toBe("WE-ERR-002");
    const unknownField = await call("POST", "/v1/errors", viewer.token, { message: "m", colour: "red" });
    expect(await codeOf(unknownField)).toBe("WE-ERR-002");
    const huge = await call("POST", "/v1/errors", viewer.token, {
      message: "m",
      context_data: { dump: "x".repeat(64 * 1024) },
    });
    expect(huge.status).toBe(413);
    expect(await codeOf(huge)).toBe("WE-ERR-002");
    const unknown = await call("POST", `/v1/errors/${randomUUID()}/resolve`, operator);
    expect(unknown.status).toBe(404);
    expect(await codeOf(unknown)).toBe("WE-ERR-001");
    expect((await call("POST", "/v1/errors/not-an-id/resolve", operator)).status).toBe(404);
    expect((await call("GET", "/v1/errors?severity=boom", viewer.token)).status).toBe(400);
    expect((await call("POST", "/v1/errors", "we_nobody", { message: "m" })).status).toBe(401);
  });

  it("refuses a page in an error loop with 429 after its burst, per token, and keeps what came before", async () => {
    const looping = await k.tokenFor("viewer");
    const tag = randomUUID().slice(0, 8);
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 40; i++) {
      const response = await call("POST", "/v1/errors", looping.token, { message: `${tag} loop ${i}` });
      statuses.push(response.status);
      if (response.status === 429) limited ??= response;
      else await response.body?.cancel();
    }
    const stored = statuses.filter((s) => s === 201).length;
    expect(stored).toBeGreaterThanOrEqual(20);
    expect(stored).toBeLessThan(25);
    expect(statuses.slice(25).every((s) => s === 429)).toBe(true);
    expect(limited?.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(await codeOf(limited!)).toBe("WE-SYS-005");
    // another token is not held back by this one
    await report(viewer.token, { message: `${tag} elsewhere` });
    const head = await k.db.store.headPosition();
    expect((await list(viewer.token, `q=${tag}&min_position=${head}`)).pagination.total).toBe(stored + 1);
  });

  it("reports the kernel's own errors: an event its projector parks shows up as a kernel error", async () => {
    const tokenId = randomUUID();
    // a revoke filed under another token's stream: the tokens projector parks it and logs an error
    await k.db.store.append(
      `token-${randomUUID()}`,
      [
        {
          id: randomUUID(),
          type: "TokenRevoked",
          data: { tokenId },
          metadata: {
            correlationId: randomUUID(),
            causationId: randomUUID(),
            actor: { userId: "u", role: "admin" },
            schemaVersion: 1,
            occurredAt: new Date().toISOString(),
          },
        },
      ],
      { expected: "no_stream" },
    );
    for (const deadline = Date.now() + 15_000; ; ) {
      const { errors } = await list(viewer.token, `source=kernel&q=${tokenId}`);
      if (errors.length > 0) {
        expect(errors[0]).toMatchObject({
          source_component: "kernel",
          severity: "error",
          reported_by: "system",
        });
        expect(errors[0]!.message).toContain("projector tokens: parked TokenRevoked");
        break;
      }
      if (Date.now() > deadline) throw new Error("the parked event was not reported");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
});
