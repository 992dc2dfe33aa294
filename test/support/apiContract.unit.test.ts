// The checks the OpenAPI tests rest on must themselves catch what they are for.
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { apiRoutes } from "../../schemas/api/apiRoutes.ts";
import { answerProblems, compareRoutes, documentedRouteOf, readAnswer } from "./apiContract.ts";

const routeOf = (method: string, path: string) => {
  const route = documentedRouteOf(apiRoutes, method, path);
  if (route === undefined) throw new Error(`${method} ${path} is not documented`);
  return route;
};

describe("compareRoutes", () => {
  it("names a served route missing from the table, and a documented one nobody serves", () => {
    const app = new Hono()
      .use("*", async (_c, next) => next())
      .get("/health", (c) => c.json({ status: "ok", version: "1" }))
      .get("/v1/jobs/:id", (c) => c.json({}))
      .post("/v1/undocumented/:thing", (c) => c.json({}));
    const { undocumented, unserved } = compareRoutes(app, apiRoutes);
    expect(undocumented).toEqual(["POST /v1/undocumented/{thing}"]);
    expect(unserved).toContain("GET /v1/jobs");
    expect(unserved).not.toContain("GET /v1/jobs/{id}");
    expect(unserved).not.toContain("GET /health");
  });
});

describe("documentedRouteOf", () => {
  it("finds templated routes by method, and prefers a literal path", () => {
    expect(routeOf("POST", "/v1/jobs/0b6f/cancel?x=1").path).toBe("/v1/jobs/{id}/cancel");
    expect(routeOf("DELETE", "/v1/jobs/0b6f").path).toBe("/v1/jobs/{id}");
    expect(documentedRouteOf(apiRoutes, "PATCH", "/v1/jobs/0b6f")).toBeUndefined();
  });
});

describe("answerProblems", () => {
  const health = routeOf("GET", "/health");
  const answer = async (body: unknown, status = 200, type = "application/json") =>
    (await readAnswer(new Response(JSON.stringify(body), { status, headers: { "content-type": type } })))
      .answer;

  it("accepts an answer as documented", async () => {
    expect(answerProblems(health, await answer({ status: "ok", version: "1.0.0" }))).toEqual([]);
  });
  it("refuses a body its schema refuses, naming the field", async () => {
    expect(answerProblems(health, await answer({ status: "fine", version: "1.0.0" }))).toEqual([
      expect.stringMatching(/^GET \/health → 200: status: /),
    ]);
    expect(answerProblems(health, await answer({ status: "ok", version: "1", extra: true }))).toHaveLength(1);
  });
  it("refuses an undocumented status or content type", async () => {
    expect(answerProblems(health, await answer({}, 418))).toEqual([
      "GET /health → 418: status not documented",
    ]);
    expect(answerProblems(health, await answer("ok", 200, "text/plain"))).toEqual([
      "GET /health → 200: content type text/plain is not one of application/json",
    ]);
  });
  it("holds errors to the envelope", async () => {
    const jobs = routeOf("GET", "/v1/jobs/x");
    expect(answerProblems(jobs, await answer({ error: { code: "WE-JOB-004" } }, 404)).length).toBeGreaterThan(
      0,
    );
    expect(answerProblems(jobs, await answer({ error: { code: "WE-NOPE-001" } }, 404))).toContainEqual(
      expect.stringContaining("error.code"),
    );
  });
});
