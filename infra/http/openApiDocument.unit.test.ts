// The generated document's own consistency: what a reader (or a client generator) follows must lead
// somewhere, and what the table says about a route must show in its operation.
import { describe, expect, it } from "vitest";
import { apiRoutes } from "../../schemas/api/apiRoutes.ts";
import { openApiDocument } from "./openApiDocument.ts";

type Operation = {
  parameters?: Array<{ name: string; in: string; required?: boolean }>;
  security?: unknown[];
  responses: Record<string, { headers?: Record<string, unknown> }>;
};
const document = openApiDocument(apiRoutes, "1.2.3") as unknown as {
  openapi: string;
  info: { version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
};
const operationOf = (path: string, method: string) => document.paths[path]![method]!;

describe("openApiDocument", () => {
  it("is OpenAPI 3.1 with the version it is given", () => {
    expect(document.openapi).toBe("3.1.0");
    expect(document.info.version).toBe("1.2.3");
    expect(document.components.securitySchemes).toHaveProperty("bearer");
  });

  it("resolves every $ref it holds", () => {
    const refs = [...JSON.stringify(document).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map(
      (m) => m[1]!,
    );
    expect(refs.length).toBeGreaterThan(20);
    expect(refs.filter((name) => !(name in document.components.schemas))).toEqual([]);
  });

  it("declares every {parameter} of a path as a required path parameter", () => {
    for (const route of apiRoutes) {
      const named = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const declared = (operationOf(route.path, route.method).parameters ?? [])
        .filter((p) => p.in === "path" && p.required)
        .map((p) => p.name);
      expect({ route: route.path, declared }).toEqual({ route: route.path, declared: named });
    }
  });

  it("asks no bearer token of public, signed and session routes, and one of every other", () => {
    for (const route of apiRoutes) {
      const { security } = operationOf(route.path, route.method);
      const open = route.access === "public" || route.access === "signed" || route.access === "session";
      expect({
        route: `${route.method} ${route.path}`,
        open: security !== undefined && security.length === 0,
      }).toEqual({
        route: `${route.method} ${route.path}`,
        open,
      });
    }
  });

  it("shows the position header on the answers of commands that produce one", () => {
    const created = operationOf("/v1/jobs", "post").responses["201"]!;
    expect(created.headers).toHaveProperty("X-WebEncode-Position");
    expect(operationOf("/v1/jobs", "get").responses["200"]!.headers).toBeUndefined();
  });
});
