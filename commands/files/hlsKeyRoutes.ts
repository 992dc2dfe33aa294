// The HLS AES-128 key of a job for a bearer with read rights (a player of one's own, a test rig); players
// of a playback link reach the same key through the link's grant (playbackRoutes.ts).
import { Hono } from "hono";
import { ApiError } from "../../infra/http/apiError.ts";
import type { HttpEnv } from "../../infra/http/httpEnv.ts";
import { jobIdParam } from "../../infra/http/jobIdParam.ts";
import { requireRole } from "../../infra/http/requireRole.ts";
import type { StorageProvider } from "../../plugins/sdk/storageProvider.ts";
import { answerHlsKey } from "./answerHlsKey.ts";

export interface HlsKeyRoutesOptions {
  jobs: StorageProvider;
  jobIsLive(jobId: string): Promise<boolean>;
  log?: (message: string) => void;
}

export function hlsKeyRoutes(options: HlsKeyRoutesOptions) {
  return new Hono<HttpEnv>().get("/v1/jobs/:id/hls-key", requireRole("viewer"), async (c) => {
    const id = jobIdParam(c);
    if (!(await options.jobIsLive(id))) throw new ApiError("WE-JOB-004", `No job exists with ID: ${id}`);
    return answerHlsKey(c, options.jobs, id, { log: options.log });
  });
}
