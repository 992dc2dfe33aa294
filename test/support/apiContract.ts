// Tests only: holds a running Hono app and its real answers to the route table the OpenAPI document is
// generated from. A served route missing from the table, a documented one nobody serves, an answer with
// an undocumented status or a body its schema refuses: each is a problem, named.
import type { Hono } from "hono";
import { METHOD_NAME_ALL } from "hono/router";
import type { ApiRoute } from "../../schemas/api/apiRoutes.ts";

/** `GET /v1/jobs/{id}`: Hono's `:id` (or `:path{.+}`, a parameter with its pattern) written the OpenAPI way. */
export const routeKey = (method: string, path: string) =>
  `${method.toUpperCase()} ${path.replace(/:(\w+)(\{[^}]*\})?/g, "{$1}")}`;

export function compareRoutes(
  app: Pick<Hono, "routes">,
  table: readonly ApiRoute[],
): { undocumented: string[]; unserved: string[] } {
  const served = new Set(
    app.routes
      // middleware (`use`) is registered for every method; it is not a route
      .filter((route) => route.method !== METHOD_NAME_ALL)
      .map((route) => routeKey(route.method, route.path)),
  );
  const documented = new Set(table.map((route) => routeKey(route.method, route.path)));
  return {
    undocumented: [...served].filter((key) => !documented.has(key)).sort(),
    unserved: [...documented].filter((key) => !served.has(key)).sort(),
  };
}

const templatePattern = (path: string) =>
  new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{\w+\}/g, "[^/]+")}$`);

/** The documented route a request went to; literal paths win over templates, as in the router. */
export function documentedRouteOf(
  table: readonly ApiRoute[],
  method: string,
  url: string,
): ApiRoute | undefined {
  const path = new URL(url, "http://x").pathname;
  const candidates = table.filter(
    (route) => route.method === method.toLowerCase() && templatePattern(route.path).test(path),
  );
  return candidates.find((route) => !route.path.includes("{")) ?? candidates[0];
}

export interface Answer {
  status: number;
  /** Without parameters: `application/json`. */
  contentType: string;
  /** The parsed body of a JSON answer; undefined for any other. */
  json?: unknown;
}

/**
 * What is wrong with an answer of `route`: its status must be documented, its content type one the
 * status documents, and a JSON body must satisfy the documented schema.
 */
export function answerProblems(route: ApiRoute, answer: Answer): string[] {
  const where = `${routeKey(route.method, route.path)} → ${answer.status}`;
  const documented = route.responses[answer.status];
  if (documented === undefined) return [`${where}: status not documented`];
  const bodies = documented.content ?? [];
  if (bodies.length === 0 || route.method === "head") return [];
  const body = bodies.find((b) => b.contentType === answer.contentType);
  if (body === undefined) {
    return [`${where}: content type ${answer.contentType} is not one of ${bodies.map((b) => b.contentType)}`];
  }
  if (body.schema === undefined) return [];
  const parsed = body.schema.safeParse(answer.json);
  return parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${where}: ${issue.path.join(".") || "body"}: ${issue.message}`);
}

/**
 * Reads a JSON answer once, for the check, and hands back an equal response the test can read again;
 * other bodies (files, pages, the never-ending event feed) are left unread.
 */
export async function readAnswer(response: Response): Promise<{ answer: Answer; response: Response }> {
  const contentType = (response.headers.get("content-type") ?? "").split(";")[0]!.trim();
  if (contentType !== "application/json") {
    return { answer: { status: response.status, contentType }, response };
  }
  const text = await response.text();
  const { status, statusText, headers } = response;
  return {
    // a HEAD answer has the headers of a JSON body and no body
    answer: { status, contentType, json: text === "" ? undefined : (JSON.parse(text) as unknown) },
    response: new Response(text, { status, statusText, headers }),
  };
}
