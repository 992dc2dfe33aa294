// GET /v1/profiles (the list) and GET /v1/profiles/{id} (one whole profile, snake_case), from the
// `profiles` read model. `min_position` waits for a create, edit or delete just made.
import { Hono } from "hono";
import type pg from "pg";
import { ApiError } from "../../infra/http/apiError.ts";
import type { HttpEnv } from "../../infra/http/httpEnv.ts";
import { awaitMinPosition, type WaitForPosition } from "../../infra/http/readYourWrites.ts";
import { requireRole } from "../../infra/http/requireRole.ts";
import { toProfileDocument } from "../../schemas/api/profileDocument.ts";
import type {
  ListProfilesResponse,
  ProfileDetail,
  ProfileSummary,
} from "../../schemas/api/profileResponses.ts";
import type { ProfileSpec } from "../../schemas/profiles/profileSpec.ts";

export interface ProfileQueryRoutesOptions {
  pool: pg.Pool;
  schema: string;
  waitForPosition: WaitForPosition;
}

export function profileQueryRoutes(options: ProfileQueryRoutesOptions) {
  const table = `"${options.schema}".profiles`;
  return new Hono<HttpEnv>()
    .get("/v1/profiles", requireRole("viewer"), async (c) => {
      await awaitMinPosition(c, options.waitForPosition);
      // to_jsonb: timestamps come back as ISO text with their offset, as the API writes them
      const { rows } = await options.pool.query<{ r: ProfileSummary }>(
        `select to_jsonb(p) - 'spec' - 'revision' - 'created_at' - 'last_position' as r
         from ${table} p order by built_in desc, id`,
      );
      return c.json({ profiles: rows.map(({ r }) => r) } satisfies ListProfilesResponse);
    })
    .get("/v1/profiles/:id", requireRole("viewer"), async (c) => {
      await awaitMinPosition(c, options.waitForPosition);
      const id = c.req.param("id");
      const { rows } = await options.pool.query<{
        spec: ProfileSpec;
        built_in: boolean;
        revision: number;
        updated_at: string;
      }>(
        `select spec, built_in, revision, to_jsonb(updated_at) #>> '{}' as updated_at from ${table} where id = $1`,
        [id],
      );
      const row = rows[0];
      if (row === undefined)
        throw new ApiError("WE-JOB-014", `No profile ${JSON.stringify(id.slice(0, 100))}`);
      return c.json({
        id,
        ...toProfileDocument(row.spec),
        built_in: row.built_in,
        revision: row.revision,
        updated_at: row.updated_at,
      } satisfies ProfileDetail);
    });
}
