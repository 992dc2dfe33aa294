// POST, GET and DELETE /v1/tokens, for admins. JSON is snake_case; a secret appears once, in the answer
// to POST, and hashes never leave the server. Mount behind authMiddleware.
import { Hono } from "hono";
import type { TokenRejected } from "../../domain/token/tokenRejected.ts";
import { ApiError } from "../../infra/http/apiError.ts";
import type { HttpEnv } from "../../infra/http/httpEnv.ts";
import { answerPosition } from "../../infra/http/readYourWrites.ts";
import { requireRole } from "../../infra/http/requireRole.ts";
import { createTokenRequestSchema } from "../../schemas/api/tokenRequests.ts";
import type { TokenResponse } from "../../schemas/api/tokenResponses.ts";
import { tokenIdSchema } from "../../schemas/events/tokenEvents.ts";
import type { Forbidden, RequestTrace, TokenService, TokenSummary } from "./tokenService.ts";

/** The catalog's "check the request body" code: it has no request-validation code outside jobs yet. */
const BAD_BODY = "WE-JOB-001";

export const tokenJson = (token: TokenSummary): TokenResponse => ({
  id: token.tokenId,
  name: token.name,
  role: token.role,
  user_id: token.userId,
  prefix: token.prefix,
  created_at: token.createdAt,
  expires_at: token.expiresAt,
  revoked_at: token.revokedAt,
});

const refusal = (outcome: TokenRejected | Forbidden) =>
  outcome._tag === "Forbidden"
    ? new ApiError(outcome.code, outcome.message)
    : new ApiError(outcome.code, outcome.message, { hint: outcome.hint });

const traceOf = (requestId: string | undefined): RequestTrace =>
  requestId === undefined ? {} : { requestId };

export function tokenRoutes(service: TokenService): Hono<HttpEnv> {
  const app = new Hono<HttpEnv>();

  app.post("/v1/tokens", requireRole("admin"), async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new ApiError(BAD_BODY, "The body is not JSON", { hint: 'Send {"name": …, "role": …}' });
    }
    const parsed = createTokenRequestSchema.safeParse(body);
    if (!parsed.success) {
      const problems = parsed.error.issues.map(
        (issue) => `${issue.path.join(".") || "body"}: ${issue.message}`,
      );
      throw new ApiError(BAD_BODY, problems.join("; "), {
        hint: 'Send {"name": string, "role": "viewer" | "operator" | "admin"}, optionally user_id and expires_at',
      });
    }
    const { name, role, user_id, expires_at } = parsed.data;
    const issued = await service.issue(
      {
        name,
        role,
        ...(user_id === undefined ? {} : { userId: user_id }),
        ...(expires_at === undefined ? {} : { expiresAt: new Date(expires_at).toISOString() }),
      },
      c.var.actor,
      traceOf(c.get("requestId")),
    );
    if (issued._tag !== "Issued") throw refusal(issued);
    answerPosition(c, issued.position);
    // the secret is shown once: never kept by a cache, nor by Idempotency-Key, which replays this instead
    c.header("Cache-Control", "no-store");
    c.set("storableAnswer", { status: 201, body: tokenJson(issued) });
    return c.json({ ...tokenJson(issued), token: issued.token }, 201);
  });

  app.get("/v1/tokens", requireRole("admin"), async (c) => {
    const tokens = await service.list();
    return c.json({ tokens: tokens.map(tokenJson) });
  });

  app.delete("/v1/tokens/:id", requireRole("admin"), async (c) => {
    const tokenId = c.req.param("id").toLowerCase();
    if (!tokenIdSchema.safeParse(tokenId).success) {
      throw new ApiError("WE-JOB-004", `No token exists with id ${c.req.param("id")}`, {
        hint: "List tokens with GET /v1/tokens",
      });
    }
    const revoked = await service.revoke(tokenId, c.var.actor, traceOf(c.get("requestId")));
    if (revoked._tag !== "Revoked") throw refusal(revoked);
    answerPosition(c, revoked.position);
    return c.body(null, 204);
  });

  return app;
}
