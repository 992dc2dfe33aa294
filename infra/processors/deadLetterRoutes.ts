// GET /v1/admin/dead-letters, for admins: the events a reactor or projector parked after its retries.
import { Hono } from "hono";
import type pg from "pg";
import { listDeadLettersQuerySchema } from "../../schemas/api/deadLetterRequests.ts";
import type { ListDeadLettersResponse } from "../../schemas/api/deadLetterResponses.ts";
import type { HttpEnv } from "../http/httpEnv.ts";
import { parseQuery } from "../http/parseRequest.ts";
import { requireRole } from "../http/requireRole.ts";
import { listDeadLetters } from "./deadLetters.ts";

export function deadLetterRoutes(options: { pool: pg.Pool; schema: string }) {
  return new Hono<HttpEnv>().get("/v1/admin/dead-letters", requireRole("admin"), async (c) => {
    const page = parseQuery(c, listDeadLettersQuerySchema);
    const { deadLetters, total } = await listDeadLetters(options.pool, options.schema, page);
    return c.json({
      dead_letters: deadLetters.map((letter) => ({
        id: letter.id,
        kind: letter.kind,
        processor: letter.processor,
        position: letter.position,
        event_id: letter.eventId,
        stream: letter.stream,
        type: letter.type,
        error: letter.error,
        attempts: letter.attempts,
        first_failed_at: letter.firstFailedAt.toISOString(),
        last_failed_at: letter.lastFailedAt.toISOString(),
        parked_at: letter.parkedAt.toISOString(),
      })),
      pagination: { total, limit: page.limit, offset: page.offset },
    } satisfies ListDeadLettersResponse);
  });
}
