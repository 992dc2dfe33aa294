// Plays a job's package from the job storage (storage-fs or a bucket) through the kernel: the token in
// the path grants the folder, every file under it is served inline with Range support and CORS, so hls.js,
// dash.js, Safari or VLC on any origin can play the signed manifest URL from GET /v1/jobs/{id}/outputs.

import { posix } from "node:path";
import { Hono } from "hono";
import { hlsKeyPath, jobOutputsFolder } from "../../domain/job/jobFileKeys.ts";
import { ApiError } from "../../infra/http/apiError.ts";
import type { HttpEnv } from "../../infra/http/httpEnv.ts";
import type { StorageProvider } from "../../plugins/sdk/storageProvider.ts";
import { answerHlsKey } from "./answerHlsKey.ts";
import type { PlaybackGrant, PlaybackSigner } from "./playbackToken.ts";
import { serveObject } from "./serveObject.ts";

export interface PlaybackRoutesOptions {
  jobs: StorageProvider;
  signer: PlaybackSigner;
  jobIsLive(jobId: string): Promise<boolean>;
  now?: () => number;
  log?: (message: string) => void;
}

const cors = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Expose-Headers": "Content-Length, Content-Range, Accept-Ranges",
};

/** A path inside the granted folder: plain names only, never `..`, `.` or an empty part. */
const SAFE_PART = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

export function playbackRoutes(options: PlaybackRoutesOptions) {
  return (
    new Hono<HttpEnv>()
      // a player on another origin asks first when it sends Range
      .use("/v1/play/*", async (c, next) => {
        if (c.req.method !== "OPTIONS") return next();
        return c.body(null, 204, {
          ...cors,
          "Access-Control-Allow-Methods": "GET, HEAD",
          "Access-Control-Allow-Headers": "Range",
          "Access-Control-Max-Age": "86400",
        });
      })
      // The HLS AES-128 key an encrypted package's playlists point at (`../../keys/<job>.key`): answered
      // by the kernel from the job storage, to a grant of that job's package only.
      .get("/v1/play/:token/keys/:name", async (c) => {
        const grant = grantOf(c.req.param("token"));
        if (grant.folder !== "package" || c.req.param("name") !== posix.basename(hlsKeyPath(grant.jobId)))
          throw new ApiError("WE-AUTH-003", "this playback link does not grant that key", {
            hint: "A package's key is served only through a playback link of that job's package, as GET /v1/jobs/{id}/outputs gives it",
          });
        if (!(await options.jobIsLive(grant.jobId)))
          throw new ApiError("WE-JOB-004", `job ${grant.jobId} was deleted, and its outputs with it`);
        return answerHlsKey(c, options.jobs, grant.jobId, { headers: cors, log: options.log });
      })
      .on(["GET", "HEAD"], "/v1/play/:token/:path{.+}", async (c) => {
        const token = c.req.param("token");
        const grant = grantOf(token);
        const prefix = `/v1/play/${token}/`;
        const path = decodeURIComponent(new URL(c.req.url).pathname.slice(prefix.length));
        const parts = path.split("/");
        if (parts.length > 8 || !parts.every((part) => SAFE_PART.test(part) && !/^\.+$/.test(part)))
          throw new ApiError("WE-STO-001", "no such object", {
            hint: "Paths come from the manifest as it is",
          });
        if (!(await options.jobIsLive(grant.jobId)))
          throw new ApiError("WE-JOB-004", `job ${grant.jobId} was deleted, and its outputs with it`);
        const key = `${jobOutputsFolder(grant.jobId)}/${grant.folder}/${parts.join("/")}`;
        return serveObject(c, options.jobs, key, { attachment: false, headers: cors, log: options.log });
      })
  );

  function grantOf(token: string): PlaybackGrant {
    const grant = options.signer.verify(token, options.now?.() ?? Date.now());
    if (!("_tag" in grant)) return grant;
    if (grant._tag === "Expired")
      throw new ApiError("WE-AUTH-002", "the playback link has expired", {
        hint: "Ask GET /v1/jobs/{id}/outputs for a fresh link",
      });
    throw new ApiError("WE-AUTH-001", "the playback link's signature is not valid", {
      hint: "Use the link exactly as GET /v1/jobs/{id}/outputs gave it, or ask for a fresh one",
    });
  }
}
