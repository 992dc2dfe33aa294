// The job query routes. `min_position` gives read-your-writes: wait (≤ 2 s) until the projection has
// caught up with a position a command returned, else answer with what we have and say it is stale.

import { Hono } from "hono";
import { ApiError } from "../../infra/http/apiError.ts";
import type { HttpEnv } from "../../infra/http/httpEnv.ts";
import { jobIdParam } from "../../infra/http/jobIdParam.ts";
import { parseQuery } from "../../infra/http/parseRequest.ts";
import { awaitMinPosition, type WaitForPosition } from "../../infra/http/readYourWrites.ts";
import { requireRole } from "../../infra/http/requireRole.ts";
import type { SignedUrlSigner } from "../../infra/http/signedUrl.ts";
import { listJobsQuerySchema } from "../../schemas/api/jobRequests.ts";
import type { JobQueries } from "./jobQueries.ts";

export interface JobQueryRoutesOptions {
  queries: JobQueries;
  waitForPosition: WaitForPosition;
  signer: SignedUrlSigner;
  downloadTtlSeconds?: number;
}

export function jobQueryRoutes(options: JobQueryRoutesOptions) {
  const { queries } = options;
  return new Hono<HttpEnv>()
    .get("/v1/jobs", requireRole("viewer"), async (c) => {
      const query = parseQuery(c, listJobsQuerySchema);
      await awaitMinPosition(c, options.waitForPosition);
      const { jobs, total } = await queries.list(query);
      return c.json({ jobs, pagination: { total, limit: query.limit, offset: query.offset } });
    })
    .get("/v1/jobs/:id", requireRole("viewer"), async (c) => {
      const id = jobIdParam(c);
      await awaitMinPosition(c, options.waitForPosition);
      const job = await queries.get(id);
      if (!job) throw new ApiError("WE-JOB-004", `No job exists with ID: ${id}`);
      return c.json(job);
    })
    .get("/v1/jobs/:id/outputs", requireRole("viewer"), async (c) => {
      const id = jobIdParam(c);
      await awaitMinPosition(c, options.waitForPosition);
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
