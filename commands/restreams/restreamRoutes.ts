// The restream command routes (operators): create (and start at once for schedule immediate), replace,
// delete, start and stop. Destination URLs are checked and sealed before anything is stored.

import type { Context } from "hono";
import { Hono } from "hono";
import type { DestinationUrlSealer } from "../../domain/ports/destinationUrlSealer.ts";
import type { RestreamCommand } from "../../domain/restream/restreamCommands.ts";
import type { RestreamState } from "../../domain/restream/restreamState.ts";
import { ApiError } from "../../infra/http/apiError.ts";
import type { HttpEnv } from "../../infra/http/httpEnv.ts";
import { UUID_PATTERN } from "../../infra/http/jobIdParam.ts";
import { parseJsonBody } from "../../infra/http/parseRequest.ts";
import { answerPosition } from "../../infra/http/readYourWrites.ts";
import { requireRole } from "../../infra/http/requireRole.ts";
import {
  createRestreamRequestSchema,
  updateRestreamRequestSchema,
} from "../../schemas/api/restreamRequests.ts";
import type { RestreamWrittenResponse } from "../../schemas/api/restreamResponses.ts";
import { commandContext } from "../commandContext.ts";
import type { CommandDeps } from "../executeCommand.ts";
import { executeRestreamCommand, loadRestream } from "./executeRestreamCommand.ts";
import { toRestreamDefinition } from "./toRestreamDefinition.ts";

export interface RestreamRoutesOptions extends CommandDeps {
  sealer: DestinationUrlSealer;
}

const notFound = (id: string) =>
  new ApiError("WE-STR-010", `No restream ${JSON.stringify(id.slice(0, 100))}`);

function restreamIdParam(c: Context<HttpEnv>): string {
  const id = c.req.param("id") ?? "";
  if (!UUID_PATTERN.test(id)) throw notFound(id);
  return id;
}

function written(restreamId: string, state: RestreamState): RestreamWrittenResponse {
  if (state.status === "initial") return { id: restreamId, revision: 0, status: "stopped" };
  const streaming = state.status === "active" && state.run !== null;
  return { id: restreamId, revision: state.revision, status: streaming ? "streaming" : "stopped" };
}

export function restreamRoutes(options: RestreamRoutesOptions) {
  const deps: CommandDeps = { store: options.store, newId: options.newId, now: options.now };
  const execute = async (c: Context<HttpEnv>, command: RestreamCommand) => {
    const result = await executeRestreamCommand(deps, command, commandContext(c, options.newId));
    if (result._tag === "RestreamRejected")
      throw new ApiError(result.code, result.message, { hint: result.hint });
    answerPosition(c, result.position);
    return written(command.data.restreamId, result.state);
  };
  return new Hono<HttpEnv>()
    .post("/v1/restreams", requireRole("operator"), async (c) => {
      const document = await parseJsonBody(c, createRestreamRequestSchema, "WE-STR-013");
      const restreamId = options.newId();
      const definition = toRestreamDefinition(document, options.sealer, options.newId);
      const startRunId = definition.schedule.type === "immediate" ? options.newId() : undefined;
      const answer = await execute(c, {
        type: "CreateRestream",
        data: { restreamId, definition, ...(startRunId === undefined ? {} : { startRunId }) },
      });
      c.header("Location", `/v1/restreams/${restreamId}`);
      return c.json(answer, 201);
    })
    .put("/v1/restreams/:id", requireRole("operator"), async (c) => {
      const restreamId = restreamIdParam(c);
      const { revision, ...document } = await parseJsonBody(c, updateRestreamRequestSchema, "WE-STR-013");
      const state = await loadRestream(options.store, restreamId);
      if (state.status !== "active") throw notFound(restreamId);
      const definition = toRestreamDefinition(
        document,
        options.sealer,
        options.newId,
        state.definition.destinations,
      );
      const data = {
        restreamId,
        definition,
        ...(revision === undefined ? {} : { expectedRevision: revision }),
      };
      return c.json(await execute(c, { type: "UpdateRestream", data }));
    })
    .delete("/v1/restreams/:id", requireRole("operator"), async (c) => {
      await execute(c, { type: "DeleteRestream", data: { restreamId: restreamIdParam(c) } });
      return c.body(null, 204);
    })
    .post("/v1/restreams/:id/start", requireRole("operator"), async (c) => {
      const data = { restreamId: restreamIdParam(c), runId: options.newId(), trigger: "manual" as const };
      return c.json(await execute(c, { type: "StartRestream", data }));
    })
    .post("/v1/restreams/:id/stop", requireRole("operator"), async (c) => {
      const data = { restreamId: restreamIdParam(c), reason: "requested" as const };
      return c.json(await execute(c, { type: "StopRestream", data }));
    });
}
