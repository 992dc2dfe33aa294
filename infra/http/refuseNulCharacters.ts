// PostgreSQL cannot store a NUL character (U+0000) in text or JSON, so a request that carries one
// would end in a database error: it is refused at the edge, naming where the NUL was, in one place for
// every route (URL path and query here; JSON bodies after authentication). Headers cannot carry one:
// Node's HTTP parser refuses them.
import type { MiddlewareHandler } from "hono";
import { ApiError } from "./apiError.ts";
import type { HttpEnv } from "./httpEnv.ts";

const NUL = "\u0000";
const ENCODED_NUL = /%00/i;
// a NUL inside a JSON text: the `\u0000` escape (only a raw NUL would otherwise be refused by JSON.parse)
const ESCAPED_NUL = /\\u0000/i;

const refused = (where: string) =>
  new ApiError("WE-JOB-001", `${where} contains a NUL character (\\u0000), which cannot be stored`, {
    hint: `Remove the NUL character from ${where} and send the request again`,
  });

const label = (key: string) => (key.includes(NUL) ? JSON.stringify(key) : key);

/** The path ("output_config.ladder.0.name") of the first string or key in `value` that holds a NUL. */
export function findNulCharacter(value: unknown, path: string[] = []): string | undefined {
  if (typeof value === "string") return value.includes(NUL) ? path.join(".") || "body" : undefined;
  if (typeof value !== "object" || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const itemPath = [...path, label(key)];
    if (key.includes(NUL)) return itemPath.join(".");
    const found = findNulCharacter(item, itemPath);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Refuses a NUL in the URL's path or query, before anything (authentication included) reads them. */
export const refuseNulInUrl: MiddlewareHandler<HttpEnv> = async (c, next) => {
  const url = new URL(c.req.url);
  if (ENCODED_NUL.test(url.pathname)) throw refused("the URL path");
  if (ENCODED_NUL.test(url.search)) {
    for (const [name, value] of url.searchParams) {
      if (name.includes(NUL) || value.includes(NUL)) throw refused(`query parameter ${label(name)}`);
    }
  }
  await next();
};

/** Refuses a NUL in a request body sent as JSON text; `streamingPaths` (uploads) are not read here. */
export const refuseNulInBody =
  (streamingPaths: ReadonlySet<string>): MiddlewareHandler<HttpEnv> =>
  async (c, next) => {
    if (c.req.method === "GET" || c.req.method === "HEAD" || streamingPaths.has(c.req.path)) return next();
    const text = await c.req.text(); // kept by the request: routes read it again for free
    if (text.includes(NUL)) throw refused("the request body");
    if (ESCAPED_NUL.test(text)) {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return next(); // not JSON: the route says so
      }
      const field = findNulCharacter(body);
      if (field !== undefined) throw refused(field);
    }
    await next();
  };
