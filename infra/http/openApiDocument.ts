// The OpenAPI 3.1 document, generated from the route table and its zod schemas by @hono/zod-openapi's
// registry: the shapes the routes validate with are the shapes the document shows.
import { OpenAPIHono } from "@hono/zod-openapi";
import type { ApiBody, ApiResponse, ApiRoute } from "../../schemas/api/apiRoutes.ts";
import { errorEnvelopeSchema } from "../../schemas/api/errorEnvelope.ts";

const positionHeader = {
  "X-WebEncode-Position": {
    description: "Event-log position this command produced; pass it as min_position to a query",
    schema: { type: "integer" as const },
  },
};

const content = (bodies: ApiBody[]) =>
  Object.fromEntries(
    bodies.map((body) => [
      body.contentType,
      { schema: body.schema ?? { type: "string" as const, format: "binary" } },
    ]),
  );

const response = (answer: ApiResponse) => ({
  description: answer.description,
  ...(answer.content ? { content: content(answer.content) } : {}),
  ...(answer.position ? { headers: positionHeader } : {}),
});

const noBearer = (route: ApiRoute) =>
  route.access === "public" || route.access === "signed" || route.access === "session";

function describe(route: ApiRoute): string {
  if (route.access === "public") return "Open to anyone.";
  if (route.access === "signed") return "No bearer token: the link's signature is the permission.";
  if (route.access === "session")
    return "For browsers: signs in with the token it is given, or reads the session cookie.";
  return `Needs a bearer token of the ${route.access} role or a higher one.`;
}

export function openApiDocument(routes: readonly ApiRoute[], version: string) {
  const generator = new OpenAPIHono();
  const registry = generator.openAPIRegistry;
  registry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" });
  for (const route of routes) {
    const { params, query, body } = route.request ?? {};
    registry.registerPath({
      method: route.method,
      path: route.path,
      summary: route.summary,
      description: describe(route),
      tags: route.tags,
      ...(noBearer(route) ? { security: [] } : {}),
      request: {
        ...(params ? { params } : {}),
        ...(query ? { query } : {}),
        ...(body ? { body: { required: body.required, content: content(body.content) } } : {}),
      },
      responses: {
        ...Object.fromEntries(Object.entries(route.responses).map(([status, r]) => [status, response(r)])),
        default: response({
          description: "An error in the WE-* envelope",
          content: [{ contentType: "application/json", schema: errorEnvelopeSchema }],
        }),
      },
    });
  }
  return generator.getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: "WebEncode API",
      version,
      description:
        "Self-hosted, event-sourced video platform. Every /v1 route needs `Authorization: Bearer <token>` unless it says otherwise. Commands answer with `X-WebEncode-Position`; queries accept `min_position` for read-your-writes. POSTs accept `Idempotency-Key` (kept 24 h; uploads ignore it; an answer carrying a secret is replayed without it). Commands may be rate limited per token: 429 WE-SYS-005 with `Retry-After`.",
    },
    security: [{ bearer: [] }],
  });
}
