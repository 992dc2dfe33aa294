// The profile command routes (admins): create, replace whole, delete. A document is checked by its
// schema (a zod issue names the snake_case field) and then whole by the decider's validateProfile.
import { Hono } from "hono";
import type pg from "pg";
import type { ProfileRejected } from "../../domain/profile/profileRejected.ts";
import { ApiError } from "../../infra/http/apiError.ts";
import type { HttpEnv } from "../../infra/http/httpEnv.ts";
import { parseJsonBody } from "../../infra/http/parseRequest.ts";
import { answerPosition } from "../../infra/http/readYourWrites.ts";
import { requireRole } from "../../infra/http/requireRole.ts";
import { toProfileSpec } from "../../schemas/api/profileDocument.ts";
import { createProfileRequestSchema, updateProfileRequestSchema } from "../../schemas/api/profileRequests.ts";
import type { ProfileWrittenResponse } from "../../schemas/api/profileResponses.ts";
import { profileIdSchema } from "../../schemas/profiles/profileSpec.ts";
import { commandContext } from "../commandContext.ts";
import type { CommandDeps } from "../executeCommand.ts";
import { executeProfileCommand } from "./executeProfileCommand.ts";
import { findJobsUsingProfile } from "./findJobsUsingProfile.ts";

export interface ProfileRoutesOptions extends CommandDeps {
  /** The read models' database: whether queued or running jobs use a profile about to be deleted. */
  pool: pg.Pool;
  schema: string;
}

const rejected = (r: ProfileRejected) => new ApiError(r.code, r.message, { hint: r.hint });

/** A path id that is no valid profile id names no profile. */
function profileIdParam(id: string): string {
  if (!profileIdSchema.safeParse(id).success)
    throw new ApiError("WE-JOB-014", `No profile ${JSON.stringify(id.slice(0, 100))}`);
  return id;
}

export function profileRoutes(options: ProfileRoutesOptions) {
  const deps: CommandDeps = { store: options.store, newId: options.newId, now: options.now };
  return new Hono<HttpEnv>()
    .post("/v1/profiles", requireRole("admin"), async (c) => {
      const { id, ...document } = await parseJsonBody(c, createProfileRequestSchema, "WE-JOB-003");
      const result = await executeProfileCommand(
        deps,
        { type: "CreateProfile", data: { profileId: id, spec: toProfileSpec(document) } },
        commandContext(c, options.newId),
      );
      if (result._tag === "ProfileRejected") throw rejected(result);
      answerPosition(c, result.position);
      c.header("Location", `/v1/profiles/${id}`);
      const revision = result.state.status === "initial" ? 0 : result.state.revision;
      return c.json({ id, revision } satisfies ProfileWrittenResponse, 201);
    })
    .put("/v1/profiles/:id", requireRole("admin"), async (c) => {
      const profileId = profileIdParam(c.req.param("id"));
      const { revision, ...document } = await parseJsonBody(c, updateProfileRequestSchema, "WE-JOB-003");
      const result = await executeProfileCommand(
        deps,
        {
          type: "UpdateProfile",
          data: {
            profileId,
            spec: toProfileSpec(document),
            ...(revision === undefined ? {} : { expectedRevision: revision }),
          },
        },
        commandContext(c, options.newId),
      );
      if (result._tag === "ProfileRejected") throw rejected(result);
      answerPosition(c, result.position);
      const written = result.state.status === "initial" ? 0 : result.state.revision;
      return c.json({ id: profileId, revision: written } satisfies ProfileWrittenResponse);
    })
    .delete("/v1/profiles/:id", requireRole("admin"), async (c) => {
      const profileId = profileIdParam(c.req.param("id"));
      // The jobs read model may lag: a job submitted in the same instant can still slip by. That job is
      // safe all the same, since it carries its own snapshot of the profile.
      const jobsUsing = await findJobsUsingProfile(options.pool, options.schema, profileId);
      const result = await executeProfileCommand(
        deps,
        { type: "DeleteProfile", data: { profileId, jobsUsing } },
        commandContext(c, options.newId),
      );
      if (result._tag === "ProfileRejected") throw rejected(result);
      answerPosition(c, result.position);
      return c.body(null, 204);
    });
}
