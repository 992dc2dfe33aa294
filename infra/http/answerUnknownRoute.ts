// What the app answers when no handler took a request: 405 with `Allow` when the path is a route
// that answers other methods, else 404 "no such route". Routes are read from the app itself.
import type { Context, Hono, NotFoundHandler } from "hono";
import { METHOD_NAME_ALL } from "hono/router";
import { TrieRouter } from "hono/router/trie-router";
import { errorBody } from "./apiError.ts";
import type { HttpEnv } from "./httpEnv.ts";

interface RouteTable {
  size: number;
  router: TrieRouter<string>;
  methods: string[];
}

function routeTable(app: Hono<HttpEnv>): RouteTable {
  const router = new TrieRouter<string>();
  const methods = new Set<string>();
  for (const { method, path } of app.routes) {
    if (method === METHOD_NAME_ALL) continue; // middleware, not a route
    router.add(method, path, method);
    methods.add(method);
  }
  return { size: app.routes.length, router, methods: [...methods] };
}

/** The methods `path` answers; GET brings HEAD along, as Hono serves HEAD from GET routes. */
function allowedMethods(table: RouteTable, path: string): string[] {
  const allowed = new Set(table.methods.filter((m) => table.router.match(m, path)[0].length > 0));
  if (allowed.has("GET")) allowed.add("HEAD");
  return [...allowed].sort();
}

export function answerUnknownRoute(app: Hono<HttpEnv>): NotFoundHandler<HttpEnv> {
  let table: RouteTable | undefined;
  return (c: Context<HttpEnv>) => {
    if (table?.size !== app.routes.length) table = routeTable(app);
    const { method, path } = c.req;
    const allowed = allowedMethods(table, path);
    if (allowed.length > 0 && !allowed.includes(method)) {
      c.header("Allow", allowed.join(", "));
      return c.json(
        errorBody(
          "WE-SYS-007",
          `${path} does not answer ${method}; it answers ${allowed.join(", ")}`,
          c.var.requestId,
        ),
        405,
      );
    }
    return c.json(errorBody("WE-SYS-006", `no route ${method} ${path}`, c.var.requestId), 404);
  };
}
