// GET /v1/errors: one page of reported errors, newest first, filtered by severity, source, whether
// resolved, and text in the message. `min_position` waits for a report or resolve just made.
import { Hono } from "hono";
import type pg from "pg";
import type { HttpEnv } from "../../infra/http/httpEnv.ts";
import { parseQuery } from "../../infra/http/parseRequest.ts";
import { awaitMinPosition, type WaitForPosition } from "../../infra/http/readYourWrites.ts";
import { requireRole } from "../../infra/http/requireRole.ts";
import { listErrorsQuerySchema } from "../../schemas/api/errorReportRequests.ts";
import type { ErrorReport, ListErrorsResponse } from "../../schemas/api/errorReportResponses.ts";

export interface ErrorQueryRoutesOptions {
  pool: pg.Pool;
  schema: string;
  waitForPosition: WaitForPosition;
}

export function errorQueryRoutes(options: ErrorQueryRoutesOptions) {
  const table = `"${options.schema}".error_events`;
  return new Hono<HttpEnv>().get("/v1/errors", requireRole("viewer"), async (c) => {
    const query = parseQuery(c, listErrorsQuerySchema);
    await awaitMinPosition(c, options.waitForPosition);
    const conditions = ["true"];
    const params: unknown[] = [];
    const where = (sql: (p: string) => string, value: unknown) => {
      params.push(value);
      conditions.push(sql(`$${params.length}`));
    };
    if (query.severity) where((p) => `severity = ${p}`, query.severity);
    if (query.source) where((p) => `source_component = ${p}`, query.source);
    if (query.resolved) where((p) => `resolved = ${p}`, query.resolved === "true");
    // the user's text is matched literally: % and _ are no wildcards here
    if (query.q)
      where(
        (p) => `message ilike '%' || ${p} || '%'`,
        query.q.replace(/[\\%_]/g, (m) => `\\${m}`),
      );
    const filter = conditions.join(" and ");
    const [page, count] = await Promise.all([
      options.pool.query<{ r: ErrorReport }>(
        // to_jsonb: timestamps come back as ISO text with their offset, as the API writes them
        `select to_jsonb(e) - 'last_position' as r from ${table} e where ${filter}
         order by created_at desc, id desc limit $${params.length + 1} offset $${params.length + 2}`,
        [...params, query.limit, query.offset],
      ),
      options.pool.query<{ n: number }>(`select count(*)::int as n from ${table} where ${filter}`, params),
    ]);
    return c.json({
      errors: page.rows.map(({ r }) => r),
      pagination: { total: count.rows[0]!.n, limit: query.limit, offset: query.offset },
    } satisfies ListErrorsResponse);
  });
}
