// Requests no route takes, through the real kernel: an unknown path is 404 "no such route", a known
// path asked with a method it does not answer is 405 with the methods it does answer in `Allow`; and a
// query whose read model is not made yet is told to come back.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestKernel, type TestKernel } from "../../test/support/testKernel.ts";
import type { ApiErrorBody } from "./apiError.ts";

let test: TestKernel;
let token: string;

beforeAll(async () => {
  test = await startTestKernel("unknown_routes");
  token = (await test.tokenFor("admin")).token;
});
afterAll(async () => {
  await test?.stop();
});

const call = (method: string, path: string, withToken = true) =>
  fetch(`${test.kernel.url}${path}`, {
    method,
    headers: withToken ? { authorization: `Bearer ${token}` } : {},
  });

async function errorOf(response: Response) {
  return ((await response.json()) as ApiErrorBody).error;
}

describe("a request no route takes", () => {
  it("answers an unknown /v1 path with 404 WE-SYS-006 and a hint", async () => {
    const response = await call("GET", "/v1/no-such-thing");
    expect(response.status).toBe(404);
    const error = await errorOf(response);
    expect(error).toMatchObject({ code: "WE-SYS-006", message: "No such route" });
    expect(error.details).toBe("no route GET /v1/no-such-thing");
    expect(error.hint).toContain("/docs");
    expect(error.request_id).toBe(response.headers.get("x-request-id"));
  });

  it("answers an unknown public path with 404 WE-SYS-006, without a token", async () => {
    const response = await call("POST", "/no-such-thing", false);
    expect(response.status).toBe(404);
    expect((await errorOf(response)).code).toBe("WE-SYS-006");
  });

  it("answers a known route asked with another method with 405 and Allow", async () => {
    const response = await call("PUT", "/v1/jobs");
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET, HEAD, POST");
    const error = await errorOf(response);
    expect(error).toMatchObject({ code: "WE-SYS-007", message: "Method not allowed" });
    expect(error.details).toBe("/v1/jobs does not answer PUT; it answers GET, HEAD, POST");
  });

  it("matches routes with parameters: PATCH /v1/jobs/{id} lists DELETE, GET and HEAD", async () => {
    const response = await call("PATCH", `/v1/jobs/${randomUUID()}`);
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("DELETE, GET, HEAD");
  });

  it("answers a public route asked with another method with 405, without a token", async () => {
    const response = await call("DELETE", "/health", false);
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET, HEAD");
    expect((await errorOf(response)).code).toBe("WE-SYS-007");
  });

  it("still asks for a token before it tells a caller which /v1 routes exist", async () => {
    const response = await call("PUT", "/v1/jobs", false);
    expect(response.status).toBe(401);
    expect((await errorOf(response)).code).toBe("WE-AUTH-001");
  });

  it("leaves the routes themselves alone: HEAD of a GET route and the route's own 404", async () => {
    expect((await call("HEAD", "/health", false)).status).toBe(200);
    const missing = await call("GET", `/v1/jobs/${randomUUID()}`);
    expect(missing.status).toBe(404);
    expect((await errorOf(missing)).code).toBe("WE-JOB-004");
  });
});

describe("a query whose read model is not made yet", () => {
  it("answers 503 WE-SYS-004 with Retry-After, not an internal error", async () => {
    // as on a new database in the moment before the restreams projector first starts
    const table = `"${test.db.readModelSchema}"."restreams"`;
    await test.db.pool.query(`alter table ${table} rename to restreams_aside`);
    try {
      const response = await call("GET", `/v1/restreams/${randomUUID()}`);
      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toBe("1");
      const error = await errorOf(response);
      expect(error).toMatchObject({ code: "WE-SYS-004", details: "the read models are being prepared" });
      expect(error.hint).toContain("Retry");
    } finally {
      await test.db.pool.query(
        `alter table "${test.db.readModelSchema}".restreams_aside rename to restreams`,
      );
    }
    expect((await call("GET", `/v1/restreams/${randomUUID()}`)).status).toBe(404);
  });
});
