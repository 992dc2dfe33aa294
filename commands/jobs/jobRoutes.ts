// The job command routes: submit, cancel, retry, delete. Cheap checks answer at once (profile, source
// held by the storage of its scheme or past the SSRF guard); probing happens after the 201, in the planner.

import { Hono } from "hono";
import type { JobRejected } from "../../domain/job/jobRejected.ts";
import { ApiError } from "../../infra/http/apiError.ts";
import type { HttpEnv } from "../../infra/http/httpEnv.ts";
import { jobIdParam } from "../../infra/http/jobIdParam.ts";
import { parseJsonBody } from "../../infra/http/parseRequest.ts";
import { answerPosition } from "../../infra/http/readYourWrites.ts";
import { requireRole } from "../../infra/http/requireRole.ts";
import type { SourceStorage } from "../../plugins/sdk/mediaStorage.ts";
import { resolveSource } from "../../plugins/sdk/sources/resolveSource.ts";
import type { RemoteSourceOptions } from "../../plugins/sdk/sources/ssrfGuard.ts";
import { storageFailureCodes } from "../../plugins/sdk/storageProvider.ts";
import { cancelJobRequestSchema, submitJobRequestSchema } from "../../schemas/api/jobRequests.ts";
import type {
  JobCancelledResponse,
  JobCreatedResponse,
  JobRetriedResponse,
} from "../../schemas/api/jobResponses.ts";
import { type ProfileSpec, profileIdSchema } from "../../schemas/profiles/profileSpec.ts";
import { commandContext } from "../commandContext.ts";
import { loadProfile } from "../profiles/executeProfileCommand.ts";
import { executeJobCommand, type JobCommandDeps, loadJob } from "./executeJobCommand.ts";

export interface JobRoutesOptions extends JobCommandDeps {
  /** Where fs:// and s3:// sources are looked up before a job is accepted. */
  storage: SourceStorage;
  remoteSources: RemoteSourceOptions;
}

const rejected = (r: JobRejected) => new ApiError(r.code, r.message, { hint: r.hint });

async function checkSource(url: string, options: JobRoutesOptions) {
  const source = await resolveSource(url, { storage: options.storage, remoteSources: options.remoteSources });
  switch (source._tag) {
    case "SourceRefused":
      throw new ApiError(source.code, source.message, { hint: source.hint });
    case "StorageFailure":
      // the storage's own failure (unavailable, full), not the source's: its WE-STO code
      throw new ApiError(storageFailureCodes[source.reason], source.message, { hint: source.hint });
    case "StoredSource":
      return {
        sourceType: source.ref.key.startsWith("uploads/") ? ("upload" as const) : ("url" as const),
        sourceUrl: url,
      };
    case "RemoteSource":
      return { sourceType: "url" as const, sourceUrl: source.url };
  }
}

/** The profile a job names, read from its stream (the read model may lag an edit just made). */
async function submittedProfile(options: JobRoutesOptions, profileId: string): Promise<ProfileSpec> {
  const state = profileIdSchema.safeParse(profileId).success
    ? await loadProfile(options.store, profileId)
    : undefined;
  if (state?.status !== "active") {
    throw new ApiError("WE-JOB-003", `unknown profile ${JSON.stringify(profileId.slice(0, 100))}`);
  }
  return state.spec;
}

export function jobRoutes(options: JobRoutesOptions) {
  const deps: JobCommandDeps = { store: options.store, newId: options.newId, now: options.now };
  return new Hono<HttpEnv>()
    .post("/v1/jobs", requireRole("operator"), async (c) => {
      const body = await parseJsonBody(c, submitJobRequestSchema);
      for (const field of ["publish", "webhooks"] as const) {
        if (body[field] !== undefined) {
          throw new ApiError("WE-JOB-001", `${field} is not available in this version of WebEncode`, {
            status: 422,
            hint: `Submit without ${field}; it arrives with its own release`,
          });
        }
      }
      const profile = await submittedProfile(options, body.profile);
      const source = await checkSource(body.source_url, options);
      const jobId = options.newId();
      const result = await executeJobCommand(
        deps,
        jobId,
        {
          type: "SubmitJob",
          data: {
            jobId,
            userId: c.var.actor.userId,
            ...source,
            profileId: body.profile,
            profile,
            outputConfig: {},
            ...(body.prefer_gpu === undefined ? {} : { preferGpu: body.prefer_gpu }),
          },
        },
        commandContext(c, options.newId),
      );
      if (result._tag === "JobRejected") throw rejected(result);
      answerPosition(c, result.position);
      c.header("Location", `/v1/jobs/${jobId}`);
      return c.json({ id: jobId, status: "queued", eta_seconds: null } satisfies JobCreatedResponse, 201);
    })
    .post("/v1/jobs/:id/cancel", requireRole("operator"), async (c) => {
      const id = jobIdParam(c);
      const body = await parseJsonBody(c, cancelJobRequestSchema);
      const result = await executeJobCommand(
        deps,
        id,
        { type: "CancelJob", data: body.reason ? { reason: body.reason } : {} },
        commandContext(c, options.newId),
      );
      if (result._tag === "JobRejected") throw rejected(result);
      answerPosition(c, result.position);
      return c.json({ id, status: "cancelled" } satisfies JobCancelledResponse);
    })
    .post("/v1/jobs/:id/retry", requireRole("operator"), async (c) => {
      const id = jobIdParam(c);
      const context = commandContext(c, options.newId);
      const { state } = await loadJob(options.store, id);
      if (state.status === "initial" || state.deleted)
        throw new ApiError("WE-JOB-004", `No job exists with ID: ${id}`);
      const newJobId = options.newId();
      const retried = await executeJobCommand(deps, id, { type: "RetryJob", data: { newJobId } }, context);
      if (retried._tag === "JobRejected") throw rejected(retried);
      // the old job's snapshot, not the profile as it is now: a retry encodes as the job did
      const { sourceType, sourceUrl, profileId, profile, outputConfig, preferGpu } = state;
      const submitted = await executeJobCommand(
        deps,
        newJobId,
        {
          type: "SubmitJob",
          data: {
            jobId: newJobId,
            userId: c.var.actor.userId,
            sourceType,
            sourceUrl,
            profileId,
            outputConfig,
            retryOf: id,
            ...(preferGpu === undefined ? {} : { preferGpu }),
            ...(profile === undefined ? {} : { profile }),
          },
        },
        context,
      );
      if (submitted._tag === "JobRejected") throw rejected(submitted);
      answerPosition(c, submitted.position);
      c.header("Location", `/v1/jobs/${newJobId}`);
      return c.json(
        {
          id: newJobId,
          source_url: state.sourceUrl,
          profile: state.profileId,
          status: "queued",
          retry_of: id,
          eta_seconds: null,
        } satisfies JobRetriedResponse,
        201,
      );
    })
    .delete("/v1/jobs/:id", requireRole("operator"), async (c) => {
      const id = jobIdParam(c);
      const result = await executeJobCommand(
        deps,
        id,
        { type: "DeleteJob", data: {} },
        commandContext(c, options.newId),
      );
      if (result._tag === "JobRejected") throw rejected(result);
      answerPosition(c, result.position);
      return c.body(null, 204);
    });
}
