// The job query routes. `min_position` gives read-your-writes: wait (≤ 2 s) until the projection has
// caught up with a position a command returned, else answer with what we have and say it is stale.

import type { Context } from "hono";
import { Hono } from "hono";
import { jobIdParam } from "../../commands/jobs/jobRoutes.ts";
import { ApiError } from "../../infra/http/apiError.ts";
import type { HttpEnv } from "../../infra/http/httpEnv.ts";
import { parseQuery } from "../../infra/http/parseRequest.ts";
import { requireRole } from "../../infra/http/requireRole.ts";
import type { SignedUrlSigner } from "../../infra/http/signedUrl.ts";
import { listJobsQuerySchema } from "../../schemas/api/jobRequests.ts";
import type { JobQueries } from "./jobQueries.ts";

export const STALE_HEADER = "X-WebEncode-Stale";

export interface JobQueryRoutesOptions {
  queries: JobQueries;
  waitForPosition(position: number, timeoutMs: number): Promise<boolean>;
  signer: SignedUrlSigner;
  downloadTtlSeconds?: number;
}

async function awaitPosition(c: Context<HttpEnv>, options: JobQueryRoutesOptions) {
  const raw = c.req.query("min_position");
  if (raw === undefined) return;
  const position = Number(raw);
  if (!Number.isSafeInteger(position) || position < 0) {
    throw new ApiError("WE-JOB-001", "min_position must be a non-negative integer");
  }
  if (!(await options.waitForPosition(position, 2000))) c.header(STALE_HEADER, "true");
}

export function jobQueryRoutes(options: JobQueryRoutesOptions) {
  const { queries } = options;
  return new Hono<HttpEnv>()
    .get("/v1/jobs", requireRole("viewer"), async (c) => {
      const query = parseQuery(c, listJobsQuerySchema);
      await awaitPosition(c, options);
      const { jobs, total } = await queries.list(query);
      return c.json({ jobs, pagination: { total, limit: query.limit, offset: query.offset } });
    })
    .get("/v1/jobs/:id", requireRole("viewer"), async (c) => {
      const id = jobIdParam(c);
      await awaitPosition(c, options);
      const job = await queries.get(id);
      if (!job) throw new ApiError("WE-JOB-004", `No job exists with ID: ${id}`);
      return c.json(job);
    })
    .get("/v1/jobs/:id/outputs", requireRole("viewer"), async (c) => {
      const id = jobIdParam(c);
      await awaitPosition(c, options);
      const job = await queries.get(id);
      if (!job) throw new ApiError("WE-JOB-004", `No job exists with ID: ${id}`);
      const outputs = (job.outputs as Array<Record<string, unknown>>).map((output) => {
        const key = String(output.key);
        const link = options.signer.sign(key, options.downloadTtlSeconds ?? 3600);
        return {
          name: output.name,
          type: output.type,
          url: key,
          download_url: new URL(link.path, new URL(c.req.url).origin).toString(),
          expires_at: link.expiresAt.toISOString(),
          profile: output.profile,
          size_bytes: output.sizeBytes,
          checksum: output.checksum,
        };
      });
      return c.json({ job_id: id, status: job.status, outputs });
    });
}
