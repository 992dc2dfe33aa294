// Serves the built dashboard at `/` beside the API: hashed assets cached for a year, any other page
// path answered with index.html (the client router draws it). API and documentation paths are never
// shadowed: they fall through to their own routes, or to the API's own 404.
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";
import { Hono } from "hono";
import type { HttpEnv } from "./httpEnv.ts";

export type DashboardFiles =
  | { _tag: "DashboardReady"; clientDir: string }
  | { _tag: "DashboardBuilding" }
  | { _tag: "DashboardUnavailable"; reason: string };

const RESERVED = ["/v1", "/openapi.json", "/docs", "/health", "/ready", "/metrics"];

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".webmanifest": "application/manifest+json",
};

export const isReservedPath = (path: string) =>
  RESERVED.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));

// Vite names every file under assets/ after a hash of its content: a new build never reuses a name.
const IMMUTABLE = "public, max-age=31536000, immutable";

const SECURITY_HEADERS = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "same-origin",
  "X-Frame-Options": "DENY",
};

const WAITING_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="3"><title>WebEncode</title></head><body style="font-family:system-ui,sans-serif;display:grid;place-items:center;min-height:100vh;margin:0"><p>The dashboard is being built; this page reloads when it is ready.</p></body></html>`;

/** The file a request names inside `root`, or null when it names none (or tries to leave `root`). */
async function fileIn(root: string, path: string): Promise<string | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return null;
  }
  const file = normalize(join(root, decoded));
  if (file !== root && !file.startsWith(root + sep)) return null;
  const info = await stat(file).catch(() => null);
  return info?.isFile() ? file : null;
}

export function dashboardRoutes(files: () => DashboardFiles) {
  const app = new Hono<HttpEnv>();
  app.use("*", async (c, next) => {
    const method = c.req.method;
    if ((method !== "GET" && method !== "HEAD") || isReservedPath(c.req.path)) return next();
    const state = files();
    if (state._tag === "DashboardBuilding") {
      return c.html(WAITING_PAGE, 503, { "Retry-After": "3", "Cache-Control": "no-store" });
    }
    if (state._tag === "DashboardUnavailable") return next();
    const root = normalize(state.clientDir);
    const file = await fileIn(root, c.req.path);
    if (file !== null && !file.endsWith(`${sep}index.html`)) {
      const type = TYPES[extname(file)] ?? "application/octet-stream";
      const cache = c.req.path.startsWith("/assets/") ? IMMUTABLE : "public, max-age=300";
      return c.body(await readFile(file), 200, {
        "Content-Type": type,
        "Cache-Control": cache,
        ...SECURITY_HEADERS,
      });
    }
    // a missing file with an extension is a missing file, not a page: never answer a script with HTML
    if (extname(c.req.path) !== "") return next();
    const index = await readFile(join(root, "index.html")).catch(() => null);
    if (index === null) return next();
    return c.body(index, 200, {
      "Content-Type": TYPES[".html"]!,
      "Cache-Control": "no-cache",
      ...SECURITY_HEADERS,
    });
  });
  return app;
}
