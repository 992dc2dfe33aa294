// GET /v1/events/stream: the live event feed. Stored events go out as `event: <Type>` with the
// store's checkpoint as `id` (Last-Event-ID resumes exactly after it), each caller seeing only the
// streams its role may read; progress ticks as `event: progress` and live streams' figures as
// `event: telemetry`, both without an id; `: ping` comments keep
// idle connections open. Open feeds are capped per token and in all, and end when their token is revoked.
import type { ServerResponse } from "node:http";
import type { HttpBindings } from "@hono/node-server";
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
import type { Context } from "hono";
import { Hono } from "hono";
import type { EventStore, RecordedEvent } from "../../domain/ports/eventStore.ts";
import type { ProgressBus } from "../../domain/ports/progressBus.ts";
import { ApiError, errorBody } from "../../infra/http/apiError.ts";
import type { Actor, HttpEnv } from "../../infra/http/httpEnv.ts";
import { tokenStream } from "../../schemas/events/streamNames.ts";
import { parseTokenEvent } from "../../schemas/events/tokenEvents.ts";
import { type Admission, createFeedClients } from "./feedClients.ts";
import { type Ending, type FeedEvents, openFeedEvents, sendFeedEvents } from "./feedEvents.ts";
import { feedFrames } from "./feedFrames.ts";
import { createFeedOutbox } from "./feedOutbox.ts";
import type { FeedStats } from "./feedStats.ts";
import type { FeedTail, TailMembership } from "./feedTail.ts";
import { feedVisibility } from "./feedVisibility.ts";
import { type FeedQuery, parseFeedQuery } from "./parseFeedQuery.ts";
import { createProgressFanOut } from "./progressFanOut.ts";

export interface EventFeedOptions {
  store: EventStore;
  progressBus: ProgressBus;
  /** The process's one subscription of the log, shared by every client. */
  tail: FeedTail;
  /** Between `: ping` comments while nothing else is sent. */
  heartbeatMs?: number;
  /** Stored event types a `types=` filter may name (default: every type the feed carries). */
  eventTypes?: readonly string[];
  /** Bytes waiting for one client at most (default 1 MiB). */
  maxBufferedBytes?: number;
  /** How long a client may leave a full buffer untouched before it is dropped (default 30 s). */
  slowClientMs?: number;
  /** Least time between two progress frames of one job (default 250 ms: 4 a second). */
  progressIntervalMs?: number;
  /** Job counts sent as `event: stats`; none without it. */
  stats?: FeedStats;
  /** Open feeds at most, all callers together (default 10,000). */
  maxClients?: number;
  /** Open feeds at most per token (default 20). */
  maxClientsPerToken?: number;
  /** Tail events held for a client busy writing before it catches up from the store instead (default 10,000). */
  maxQueuedEvents?: number;
}

/** Seconds a refused client is asked to wait: feeds are long-lived, a place frees when one ends. */
const RETRY_AFTER_SECONDS = 10;

const revokedTokenOf = (event: RecordedEvent): string | undefined => {
  if (!tokenStream.matches(event.streamId) || event.type !== "TokenRevoked") return undefined;
  const parsed = parseTokenEvent(event);
  return parsed._tag === "Parsed" && parsed.event.type === "TokenRevoked"
    ? parsed.event.data.tokenId
    : undefined;
};

function refuse(c: Context<HttpEnv>, admission: Exclude<Admission, { _tag: "Admitted" }>): never {
  if (admission._tag === "TokenRevoked")
    throw new ApiError("WE-AUTH-001", "the token this feed would be opened with was revoked");
  c.header("Retry-After", String(RETRY_AFTER_SECONDS));
  throw admission.per === "token"
    ? new ApiError("WE-SYS-005", `this token already holds ${admission.limit} open event feeds`, {
        hint: `Close a feed this token holds open, or share one between views (at most ${admission.limit} per token)`,
      })
    : new ApiError("WE-SYS-005", `the server already holds ${admission.limit} open event feeds`, {
        hint: `Retry after ${RETRY_AFTER_SECONDS} s, when other feeds have ended`,
      });
}

export function eventFeedRoute(options: EventFeedOptions): Hono<HttpEnv> {
  const { store, progressBus, tail } = options;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const knownEventTypes = options.eventTypes ?? feedVisibility.eventTypes;
  const maxBufferedBytes = options.maxBufferedBytes ?? 1024 * 1024;
  const slowClientMs = options.slowClientMs ?? 30_000;
  const progress = createProgressFanOut({ progressBus, intervalMs: options.progressIntervalMs ?? 250 });
  const eventsOptions = { store, tail, maxQueuedEvents: options.maxQueuedEvents ?? 10_000 };
  const clients = createFeedClients({
    maxClients: options.maxClients ?? 10_000,
    maxClientsPerToken: options.maxClientsPerToken ?? 20,
  });

  // revocations come through the tail like every event, from whichever process revoked the token
  let watchingRevocations: Promise<TailMembership> | undefined;
  const watchRevocations = () => {
    watchingRevocations ??= tail
      .join({
        event(event) {
          const tokenId = revokedTokenOf(event);
          if (tokenId !== undefined) clients.revokeToken(tokenId);
        },
        flush() {},
      })
      .catch((error: unknown) => {
        watchingRevocations = undefined;
        throw error;
      });
    return watchingRevocations;
  };

  async function serve(
    response: ServerResponse,
    query: FeedQuery,
    actor: Actor,
    events: FeedEvents | undefined,
    stop: AbortController,
    requestId: string,
  ) {
    const outbox = createFeedOutbox({ response, maxBufferedBytes });
    stop.signal.addEventListener("abort", () => outbox.close(), { once: true });
    const leaveProgress = query.progress
      ? // ticks are worth nothing a second later: dropped, not queued, when the client lags
        progress.join({ jobId: query.jobId, send: (frame) => outbox.offer(frame) })
      : () => {};
    // live streams' figures go to every signed-in role, like the streams themselves; dropped when lagging
    const leaveTelemetry = query.telemetry
      ? progressBus.subscribeTelemetry((tick) => outbox.offer(feedFrames.telemetry(tick)))
      : () => {};
    const unsubscribeStats =
      query.stats && options.stats
        ? options.stats.subscribe((snapshot) => outbox.offer(feedFrames.stats(snapshot)))
        : () => {};
    const heartbeat = setInterval(() => {
      if (outbox.idle) outbox.offer(feedFrames.ping());
    }, heartbeatMs);

    let ending: Ending | undefined;
    try {
      const client = { query, actor, outbox, slowClientMs, signal: stop.signal };
      ending = events
        ? await sendFeedEvents(eventsOptions, client, events)
        : await new Promise<undefined>((resolve) => {
            if (stop.signal.aborted) resolve(undefined);
            stop.signal.addEventListener("abort", () => resolve(undefined), { once: true });
          });
    } finally {
      clearInterval(heartbeat);
      leaveProgress();
      leaveTelemetry();
      unsubscribeStats();
      outbox.close();
    }
    if (stop.signal.reason === "revoked") {
      ending = { code: "WE-AUTH-001", details: "the token this feed was opened with was revoked" };
    }
    if (response.destroyed) return;
    // The final error goes out behind what the client has not read yet, if it ever reads again;
    // nothing of ours waits on the client any longer.
    if (ending && stop.signal.reason !== "left")
      response.end(feedFrames.error(errorBody(ending.code, ending.details, requestId)));
    else response.end();
  }

  return new Hono<HttpEnv>().get("/v1/events/stream", async (c) => {
    const actor: Actor | undefined = c.get("actor");
    if (actor === undefined)
      throw new ApiError("WE-AUTH-001", "the event feed needs an authenticated caller");
    // Frames are written straight to Node's response rather than through a web stream per client:
    // one event goes to thousands of clients, and each layer would cost every one of them.
    const response = (c.env as Partial<HttpBindings> | undefined)?.outgoing;
    if (response === undefined) throw new Error("the event feed is served by the Node HTTP server only");
    const query = parseFeedQuery(c.req.query(), c.req.header("Last-Event-ID"), knownEventTypes);
    const stop = new AbortController();
    const signal = c.req.raw.signal;
    const abandon = () => stop.abort("left");
    signal.addEventListener("abort", abandon, { once: true });
    if (signal.aborted) abandon();
    const admission = clients.admit(actor, () => stop.abort("revoked"));
    if (admission._tag !== "Admitted") refuse(c, admission);
    let events: FeedEvents | undefined;
    try {
      await watchRevocations();
      // `types=progress` alone asks for ticks only: no stored events (an empty type filter means all)
      events =
        query.eventTypes?.length === 0 ? undefined : await openFeedEvents(eventsOptions, query, stop.signal);
    } catch (error) {
      admission.release();
      stop.abort("refused");
      throw error;
    }
    const requestId: string | undefined = c.get("requestId");
    c.header("X-Accel-Buffering", "no"); // a proxy that buffers would hold events back
    // with the headers set on the way here (the request id)
    const head = c.body(null, 200, {
      "Content-Type": "text/event-stream",
      "Cache-Control": "no-cache",
      Connection: "keep-alive",
    });
    response.writeHead(200, Object.fromEntries(head.headers));
    response.flushHeaders();
    response.once("close", abandon);
    void serve(response, query, actor, events, stop, requestId ?? "")
      .catch(() => response.destroy())
      .finally(() => {
        admission.release();
        signal.removeEventListener("abort", abandon);
      });
    return RESPONSE_ALREADY_SENT;
  });
}
