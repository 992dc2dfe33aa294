// POST /v1/workers/{id}/drain, /undrain and /unquarantine, DELETE /v1/workers/{id}, for admins: a
// drained or quarantined worker finishes what it holds and takes nothing new; only a worker that no
// longer runs may be removed.
import { type Context, Hono } from "hono";
import type { WorkerCommand } from "../../domain/worker/workerCommands.ts";
import { ApiError } from "../../infra/http/apiError.ts";
import type { HttpEnv } from "../../infra/http/httpEnv.ts";
import { answerPosition } from "../../infra/http/readYourWrites.ts";
import { requireRole } from "../../infra/http/requireRole.ts";
import type { WorkerStateResponse } from "../../schemas/api/workerResponses.ts";
import { commandContext } from "../commandContext.ts";
import type { CommandDeps } from "../executeCommand.ts";
import { executeWorkerCommand } from "./executeWorkerCommand.ts";

/** What an admin asks of a worker by its id alone. */
type AdminCommand = Extract<
  WorkerCommand,
  { type: "DrainWorker" | "UndrainWorker" | "UnquarantineWorker" | "RemoveWorker" }
>;

/** Worker ids are made by workers from their host name and a random part. */
const WORKER_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

export function workerRoutes(deps: CommandDeps): Hono<HttpEnv> {
  const run = async (c: Context<HttpEnv>, type: AdminCommand["type"]) => {
    const workerId = c.req.param("id") ?? "";
    if (!WORKER_ID.test(workerId)) {
      throw new ApiError("WE-WRK-001", `No worker ${JSON.stringify(workerId.slice(0, 200))}`, {
        hint: "List workers with GET /v1/workers",
      });
    }
    const result = await executeWorkerCommand(
      deps,
      { type, data: { workerId } } as AdminCommand,
      commandContext(c, deps.newId),
    );
    if (result._tag === "WorkerRejected")
      throw new ApiError(result.code, result.message, { hint: result.hint });
    answerPosition(c, result.position);
    const state = result.state;
    return c.json({
      id: workerId,
      status: state.status === "initial" ? "removed" : state.status,
      draining: state.status === "initial" ? false : state.draining,
      quarantined: state.status === "initial" ? false : state.quarantine !== null,
    } satisfies WorkerStateResponse);
  };
  return new Hono<HttpEnv>()
    .post("/v1/workers/:id/drain", requireRole("admin"), (c) => run(c, "DrainWorker"))
    .post("/v1/workers/:id/undrain", requireRole("admin"), (c) => run(c, "UndrainWorker"))
    .post("/v1/workers/:id/unquarantine", requireRole("admin"), (c) => run(c, "UnquarantineWorker"))
    .delete("/v1/workers/:id", requireRole("admin"), (c) => run(c, "RemoveWorker"));
}
