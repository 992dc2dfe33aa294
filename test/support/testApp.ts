// Tests only: an app that renders ApiError in the envelope, as the real app does, with routes mounted.
import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ApiError, errorBody } from "../../infra/http/apiError.ts";
import type { HttpEnv } from "../../infra/http/httpEnv.ts";

export function testApp(mount: (app: Hono<HttpEnv>) => void): Hono<HttpEnv> {
  const app = new Hono<HttpEnv>();
  app.use("*", async (c, next) => {
    c.set("requestId", "req-test");
    await next();
  });
  // c.json keeps headers set before the throw (WWW-Authenticate); a new Response would drop them
  app.onError((error, c) =>
    error instanceof ApiError
      ? c.json(
          errorBody(error.code, error.details, c.var.requestId, error.hint),
          error.status as ContentfulStatusCode,
        )
      : c.json(errorBody("WE-SYS-001", error.message, c.var.requestId), 500),
  );
  mount(app);
  return app;
}
