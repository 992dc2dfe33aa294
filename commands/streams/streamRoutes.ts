// The stream command routes (operators): create (the key answered in clear once), edit, rotate the key,
// end the live session, delete, and reveal the key for the dashboard. Keys are generated here; the log
// keeps only their hash and the key sealed (streamKeyVault).
import type { Context } from "hono";
import { Hono } from "hono";
import type { IngestUrls } from "../../domain/ports/ingestUrls.ts";
import type { StreamRejected } from "../../domain/stream/streamRejected.ts";
import type { StreamState } from "../../domain/stream/streamState.ts";
import { ApiError } from "../../infra/http/apiError.ts";
import type { HttpEnv } from "../../infra/http/httpEnv.ts";
import { UUID_PATTERN } from "../../infra/http/jobIdParam.ts";
import { parseJsonBody } from "../../infra/http/parseRequest.ts";
import { answerPosition } from "../../infra/http/readYourWrites.ts";
import { requireRole } from "../../infra/http/requireRole.ts";
import { createStreamRequestSchema, updateStreamRequestSchema } from "../../schemas/api/streamRequests.ts";
import type {
  StreamKeyResponse,
  StreamStatus,
  StreamWrittenResponse,
} from "../../schemas/api/streamResponses.ts";
import { commandContext } from "../commandContext.ts";
import type { CommandDeps } from "../executeCommand.ts";
import { executeStreamCommand, loadStream } from "./executeStreamCommand.ts";
import type { StreamKeyLookup } from "./streamKeyLookup.ts";
import type { StreamKeyVault } from "./streamKeyVault.ts";

export interface StreamRoutesOptions extends CommandDeps {
  vault: StreamKeyVault;
  findStreamByKeyHash: StreamKeyLookup;
  ingestUrls: IngestUrls;
}

const rejected = (r: StreamRejected) => new ApiError(r.code, r.message, { hint: r.hint });

export function streamIdParam(c: Context): string {
  const id = c.req.param("id") ?? "";
  if (!UUID_PATTERN.test(id))
    throw new ApiError("WE-STR-002", `No stream ${JSON.stringify(id.slice(0, 100))}`);
  return id.toLowerCase();
}

const statusOf = (state: StreamState): StreamStatus =>
  state.status === "active" ? (state.session?.status ?? "idle") : "idle";

export function streamRoutes(options: StreamRoutesOptions) {
  const deps: CommandDeps = { store: options.store, newId: options.newId, now: options.now };
  const keyAnswer = (id: string, streamKey: string): StreamKeyResponse => {
    const urls = options.ingestUrls(streamKey);
    return {
      id,
      stream_key: streamKey,
      ingest_url: urls.rtmp,
      ingest_urls: { rtmp: urls.rtmp, srt: urls.srt },
    };
  };
  const run = async (c: Context<HttpEnv>, command: Parameters<typeof executeStreamCommand>[1]) => {
    const result = await executeStreamCommand(deps, command, commandContext(c, options.newId));
    if (result._tag === "StreamRejected") throw rejected(result);
    answerPosition(c, result.position);
    return result;
  };
  return new Hono<HttpEnv>()
    .post("/v1/streams", requireRole("operator"), async (c) => {
      const body = await parseJsonBody(c, createStreamRequestSchema, "WE-STR-001");
      const streamKey = body.stream_key ?? options.vault.generate();
      const stored = options.vault.store(streamKey);
      if ((await options.findStreamByKeyHash(stored.keyHash)) !== null) {
        throw new ApiError("WE-STR-004", "Another stream uses this stream key");
      }
      const streamId = options.newId();
      await run(c, {
        type: "CreateStream",
        data: {
          streamId,
          title: body.title,
          description: body.description ?? "",
          archiveEnabled: body.archive_enabled ?? true,
          ...stored,
        },
      });
      c.header("Location", `/v1/streams/${streamId}`);
      return c.json(keyAnswer(streamId, streamKey), 201);
    })
    .put("/v1/streams/:id", requireRole("operator"), async (c) => {
      const streamId = streamIdParam(c);
      const body = await parseJsonBody(c, updateStreamRequestSchema, "WE-STR-001");
      const result = await run(c, {
        type: "UpdateStream",
        data: {
          streamId,
          ...(body.title === undefined ? {} : { title: body.title }),
          ...(body.description === undefined ? {} : { description: body.description }),
          ...(body.archive_enabled === undefined ? {} : { archiveEnabled: body.archive_enabled }),
        },
      });
      return c.json({ id: streamId, status: statusOf(result.state) } satisfies StreamWrittenResponse);
    })
    .post("/v1/streams/:id/rotate-key", requireRole("operator"), async (c) => {
      const streamId = streamIdParam(c);
      const streamKey = options.vault.generate();
      await run(c, { type: "RotateStreamKey", data: { streamId, ...options.vault.store(streamKey) } });
      return c.json(keyAnswer(streamId, streamKey));
    })
    .post("/v1/streams/:id/end", requireRole("operator"), async (c) => {
      const streamId = streamIdParam(c);
      const result = await run(c, {
        type: "RequestEnd",
        data: { streamId, at: options.now().toISOString() },
      });
      return c.json({ id: streamId, status: statusOf(result.state) } satisfies StreamWrittenResponse);
    })
    .delete("/v1/streams/:id", requireRole("operator"), async (c) => {
      const streamId = streamIdParam(c);
      await run(c, { type: "DeleteStream", data: { streamId } });
      return c.body(null, 204);
    })
    .get("/v1/streams/:id/key", requireRole("operator"), async (c) => {
      const streamId = streamIdParam(c);
      const state = await loadStream(options.store, streamId);
      if (state.status !== "active") throw new ApiError("WE-STR-002", `No stream ${streamId}`);
      c.header("Cache-Control", "no-store");
      return c.json(keyAnswer(streamId, options.vault.open(state.sealedKey)));
    });
}
