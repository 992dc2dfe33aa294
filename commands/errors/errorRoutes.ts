// POST /v1/errors (any signed-in user: the dashboard's tracker, plugins) and POST /v1/errors/{id}/resolve
// (operators). A report is small and rate-limited per token or session: a page caught in an error loop
// gets 429s, not a flooded log.
import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { ApiError } from "../../infra/http/apiError.ts";
import { commandRateLimit } from "../../infra/http/commandRateLimit.ts";
import type { HttpEnv } from "../../infra/http/httpEnv.ts";
import { UUID_PATTERN } from "../../infra/http/jobIdParam.ts";
import { parseJsonBody } from "../../infra/http/parseRequest.ts";
import { answerPosition } from "../../infra/http/readYourWrites.ts";
import { requireRole } from "../../infra/http/requireRole.ts";
import type { RateLimit } from "../../infra/http/tokenBucket.ts";
import { MAX_ERROR_REPORT_BYTES, reportErrorRequestSchema } from "../../schemas/api/errorReportRequests.ts";
import type { ErrorEventData } from "../../schemas/events/errorEvents.ts";
import { commandContext } from "../commandContext.ts";
import type { CommandDeps } from "../executeCommand.ts";
import { executeErrorCommand } from "./executeErrorCommand.ts";

export interface ErrorRoutesOptions extends CommandDeps {
  /** Reports per token or session: a burst, then a trickle. */
  reportLimit?: RateLimit;
}

const REPORT_LIMIT: RateLimit = { perSecond: 0.5, burst: 20 };

// The body has been read whole already (within the app's JSON limit), so this limit counts its text.
const refuseLargeReport = createMiddleware<HttpEnv>(async (c, next) => {
  const declared = Number(c.req.header("content-length") ?? 0);
  if (declared > MAX_ERROR_REPORT_BYTES || Buffer.byteLength(await c.req.text()) > MAX_ERROR_REPORT_BYTES) {
    throw new ApiError("WE-ERR-002", `an error report may take ${MAX_ERROR_REPORT_BYTES} bytes`, {
      status: 413,
      hint: "Shorten the stack trace and the context data",
    });
  }
  await next();
});

export function errorRoutes(options: ErrorRoutesOptions): Hono<HttpEnv> {
  const limit = options.reportLimit ?? REPORT_LIMIT;
  return new Hono<HttpEnv>()
    .post("/v1/errors", requireRole("viewer"), refuseLargeReport, commandRateLimit(limit), async (c) => {
      const body = await parseJsonBody(c, reportErrorRequestSchema, "WE-ERR-002");
      const errorId = options.newId();
      const result = await executeErrorCommand(
        options,
        {
          type: "ReportError",
          data: {
            errorId,
            sourceComponent: body.source_component,
            severity: body.severity,
            message: body.message,
            ...(body.stack_trace ? { stackTrace: body.stack_trace } : {}),
            // parsed from a JSON body: every value in it is JSON
            contextData: body.context_data as ErrorEventData<"ErrorReported">["contextData"],
          },
        },
        commandContext(c, options.newId),
      );
      if (result._tag === "ErrorRejected")
        throw new ApiError(result.code, result.message, { hint: result.hint });
      answerPosition(c, result.position);
      return c.json({ id: errorId, resolved: false as const }, 201);
    })
    .post("/v1/errors/:id/resolve", requireRole("operator"), async (c) => {
      const id = c.req.param("id");
      if (!UUID_PATTERN.test(id)) {
        throw new ApiError("WE-ERR-001", `No reported error ${JSON.stringify(id.slice(0, 100))}`);
      }
      const errorId = id.toLowerCase();
      const result = await executeErrorCommand(
        options,
        { type: "ResolveError", data: { errorId } },
        commandContext(c, options.newId),
      );
      if (result._tag === "ErrorRejected")
        throw new ApiError(result.code, result.message, { hint: result.hint });
      answerPosition(c, result.position);
      return c.json({ id: errorId, resolved: true as const });
    });
}
