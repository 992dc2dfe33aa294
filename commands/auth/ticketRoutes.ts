import { Hono } from "hono";
import type { HttpEnv } from "../../infra/http/httpEnv.ts";
import { requireRole } from "../../infra/http/requireRole.ts";
import type { SseTicketResponse } from "../../schemas/api/tokenResponses.ts";
import type { TokenService } from "./tokenService.ts";

/** POST /v1/events/ticket: any authenticated actor trades its bearer token for a 60 s SSE ticket. */
export function ticketRoutes(service: Pick<TokenService, "issueTicket">): Hono<HttpEnv> {
  const app = new Hono<HttpEnv>();
  app.post("/v1/events/ticket", requireRole("viewer"), (c) => {
    const { ticket, expiresAt } = service.issueTicket(c.var.actor);
    c.header("Cache-Control", "no-store");
    return c.json({ ticket, expires_at: expiresAt.toISOString() } satisfies SseTicketResponse);
  });
  return app;
}
