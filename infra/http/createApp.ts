// The HTTP application: request ids, the error envelope, body limits, authentication, and the routes
// of the command and query sides. Everything it needs is handed in; it opens nothing itself.
import { randomUUID } from "node:crypto";
import { Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { ZodError } from "zod";
import { answerUnknownRoute } from "./answerUnknownRoute.ts";
import { ApiError, errorBody } from "./apiError.ts";
import type { HttpEnv } from "./httpEnv.ts";
import { refuseNulInBody, refuseNulInUrl } from "./refuseNulCharacters.ts";

export interface CreateAppOptions {
  /** Sets `c.var.actor` or throws ApiError (WE-AUTH-*). */
  authenticate: MiddlewareHandler<HttpEnv>;
  /** Routes that need no bearer token (health, signed downloads, docs). */
  publicRoutes: Hono<HttpEnv>[];
  /** Routes behind the bearer token. */
  routes: Hono<HttpEnv>[];
  /** Middleware that runs after authentication on every /v1 route (e.g. Idempotency-Key). */
  afterAuthentication?: MiddlewareHandler<HttpEnv>[];
  /** Paths allowed bodies over the JSON limit (uploads). */
  streamingPaths?: string[];
  maxJsonBytes?: number;
  log?: (level: "error" | "info", message: string, detail?: unknown) => void;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** PostgreSQL's "relation does not exist". */
const UNDEFINED_TABLE = "42P01";

export function createApp(options: CreateAppOptions) {
  const log = options.log ?? (() => {});
  const maxJsonBytes = options.maxJsonBytes ?? 1024 * 1024;
  const streaming = new Set(options.streamingPaths ?? []);
  const app = new Hono<HttpEnv>();

  app.use("*", async (c, next) => {
    const given = c.req.header("x-request-id");
    c.set("requestId", given && REQUEST_ID.test(given) ? given : `req-${randomUUID()}`);
    c.header("X-Request-Id", c.var.requestId);
    await next();
  });

  const limit = bodyLimit({
    maxSize: maxJsonBytes,
    onError: (c) =>
      c.json(
        errorBody(
          "WE-JOB-001",
          `the request body is larger than ${maxJsonBytes} bytes`,
          c.var.requestId,
          "Send files with POST /v1/files/upload",
        ),
        413,
      ),
  });
  app.use("*", async (c, next) => {
    if (!streaming.has(c.req.path)) return limit(c, next);
    c.set("streamingBody", true);
    return next();
  });
  app.use("*", refuseNulInUrl);

  app.onError((error, c) => {
    const requestId = c.var.requestId ?? "unknown";
    if (error instanceof ApiError) {
      if (error.code === "WE-AUTH-001") c.header("WWW-Authenticate", 'Bearer realm="webencode"');
      return c.json(errorBody(error.code, error.details, requestId, error.hint), error.status as 400);
    }
    if (error instanceof ZodError) {
      return c.json(errorBody("WE-JOB-001", error.issues.map((i) => i.message).join("; "), requestId), 400);
    }
    // A read model's table is made when its projector first starts, just after the kernel answers: a
    // query in that moment on a new database is told to come back, not that something broke.
    if ((error as { code?: unknown }).code === UNDEFINED_TABLE) {
      // said in the log too: a table that never comes is a fault, not a moment of start-up
      log(
        "info",
        `request ${requestId} ${c.req.method} ${c.req.path} before its table exists: ${error.message}`,
      );
      c.header("Retry-After", "1");
      return c.json(
        errorBody(
          "WE-SYS-004",
          "the read models are being prepared",
          requestId,
          "Retry in a second: the kernel has just started on a new database",
        ),
        503,
      );
    }
    log("error", `request ${requestId} ${c.req.method} ${c.req.path} failed: ${error.message}`, error);
    return c.json(
      errorBody("WE-SYS-001", "an unexpected error occurred; it has been logged", requestId),
      500,
    );
  });

  app.notFound(answerUnknownRoute(app));

  for (const routes of options.publicRoutes) app.route("/", routes);
  const secured = new Hono<HttpEnv>();
  secured.use("/v1/*", options.authenticate);
  secured.use("/v1/*", refuseNulInBody(streaming));
  for (const middleware of options.afterAuthentication ?? []) secured.use("/v1/*", middleware);
  for (const routes of options.routes) secured.route("/", routes);
  app.route("/", secured);
  return app;
}
