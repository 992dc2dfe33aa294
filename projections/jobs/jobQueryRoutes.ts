// The job query routes. `min_position` gives read-your-writes: wait (≤ 2 s) until the projection has
// caught up with a position a command returned, else answer with what we have and say it is stale.

import { Hono } from "hono";
import { ApiError } from "../../infra/http/apiError.ts";
import type { HttpEnv } from "../../infra/http/httpEnv.ts";
import { jobIdParam } from "../../infra/http/jobIdParam.ts";
import { parseQuery } from "../../infra/http/parseRequest.ts";
import { awaitMinPosition, type WaitForPosition } from "../../infra/http/readYourWrites.ts";
import { requireRole } from "../../infra/http/requireRole.ts";
import {
  isStorageFailure,
  type StorageProvider,
  storageFailureCodes,
} from "../../plugins/sdk/storageProvider.ts";
import { listJobsQuerySchema } from "../../schemas/api/jobRequests.ts";
import { jobStatsQuerySchema } from "../../schemas/api/jobStatsResponses.ts";
import type { JobQueries } from "./jobQueries.ts";

export interface JobQueryRoutesOptions {
  queries: JobQueries;
  waitForPosition: WaitForPosition;
  /** The job storage, which signs its outputs' download links (a presigned bucket URL, or a kernel link). */
  outputs: StorageProvider;
  downloadTtlSeconds?: number;
  /**
   * A kernel link that plays a file of a job's package (its folder granted in the path, so a manifest's
   * relative URIs work as they are); null for any other key, which keeps the storage's own signed link.
   */
  playbackLink?: (key: string, expiresInSeconds: number) => { url: string; expiresAt: string } | null;
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
    .get("/v1/stats/jobs", requireRole("viewer"), async (c) => {
      const query = parseQuery(c, jobStatsQuerySchema);
      return c.json(await queries.activity(query.hours, new Date()));
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
      const origin = new URL(c.req.url).origin;
      const outputs = await Promise.all(
        (job.outputs as Array<Record<string, unknown>>).map(async (output) => {
          const key = String(output.key);
          const expiresInSeconds = options.downloadTtlSeconds ?? 3600;
          const link =
            options.playbackLink?.(key, expiresInSeconds) ??
            (await options.outputs.signedUrl({ ref: { key }, method: "GET", expiresInSeconds }));
          if (isStorageFailure(link)) {
            throw new ApiError(storageFailureCodes[link.reason], link.message, { hint: link.hint });
          }
          return {
            name: output.name,
            type: output.type,
            url: key,
            // a kernel link (storage-fs without a public URL) is made absolute against this request
            download_url: new URL(link.url, origin).toString(),
            expires_at: link.expiresAt,
            profile: output.profile,
            size_bytes: output.sizeBytes,
            checksum: output.checksum,
          };
        }),
      );
      return c.json({ job_id: id, status: job.status, outputs });
    });
}
