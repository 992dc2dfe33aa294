// GET /v1/events/stream: the live event feed. Stored events go out as `event: <Type>` with the
// store's checkpoint as `id` (Last-Event-ID resumes exactly after it); progress ticks as
// `event: progress` without an id; `: ping` comments keep idle connections open.
import { Hono } from "hono";
import { type SSEStreamingApi, streamSSE } from "hono/streaming";
import { ApiError, errorBody } from "../../commands/http/apiError.ts";
import type { Actor, HttpEnv } from "../../commands/http/httpEnv.ts";
import type { EventStore, Subscription, SubscriptionMessage } from "../../domain/ports/eventStore.ts";
import type { ProgressBus } from "../../domain/ports/progressBus.ts";
import type { ErrorCode } from "../../schemas/errors.ts";
import { jobEventTypes } from "../../schemas/events/jobEvents.ts";
import { feedFrames } from "./feedFrames.ts";
import { createFeedOutbox, type FeedOutbox } from "./feedOutbox.ts";
import type { FeedStats } from "./feedStats.ts";
import { type FeedQuery, parseFeedQuery } from "./parseFeedQuery.ts";
import { createProgressThrottle } from "./progressThrottle.ts";

export interface EventFeedOptions {
  store: EventStore;
  progressBus: ProgressBus;
  /** Between `: ping` comments while nothing else is sent. */
  heartbeatMs?: number;
  /** Stored event types a `types=` filter may name (default: the job events). */
  eventTypes?: readonly string[];
  /** Frames queued for one client at most (default 1 MiB). */
  maxBufferedBytes?: number;
  /** How long a client may leave a full buffer untouched before it is dropped (default 30 s). */
  slowClientMs?: number;
  /** Least time between two progress frames of one job (default 250 ms: 4 a second). */
  progressIntervalMs?: number;
  /** Job counts sent as `event: stats`; none without it. */
  stats?: FeedStats;
}

interface OpenEvents {
  subscription: Subscription;
  iterator: AsyncIterator<SubscriptionMessage>;
  first: IteratorResult<SubscriptionMessage>;
}

interface Ending {
  code: ErrorCode;
  details: string;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Subscribes and waits for the first message before answering, so that a checkpoint this store
 * cannot resume from is a 400 rather than a stream that fails at once and is retried for ever.
 */
async function openEvents(store: EventStore, query: FeedQuery): Promise<OpenEvents> {
  const subscription = store.subscribeToAll({
    from: query.from,
    filter: {
      ...(query.jobId === undefined ? {} : { streamPrefixes: [`job-${query.jobId}`] }),
      ...(query.eventTypes === undefined ? {} : { eventTypes: query.eventTypes }),
    },
  });
  const iterator = subscription[Symbol.asyncIterator]();
  try {
    return { subscription, iterator, first: await iterator.next() };
  } catch (error) {
    await subscription.close().catch(() => {});
    const resuming = query.from !== "start" && query.from !== "end";
    if (!resuming) throw error;
    // the store refuses what it did not issue; no other store call is made before the first message
    throw new ApiError("WE-JOB-001", `cannot resume after last event id ${query.from}: ${messageOf(error)}`, {
      hint: "Reconnect without Last-Event-ID (from=start or from=end)",
    });
  }
}

/** Sends stored events until the client goes (undefined) or the feed must end with an error. */
async function sendEvents(
  events: OpenEvents,
  outbox: FeedOutbox,
  slowClientMs: number,
  gone: () => boolean,
): Promise<Ending | undefined> {
  try {
    for (let next = events.first; !next.done; next = await events.iterator.next()) {
      const message = next.value;
      const frame =
        message.type === "event"
          ? feedFrames.event(message.event)
          : message.checkpoint === null
            ? undefined
            : feedFrames.resumePoint(message.checkpoint);
      if (frame !== undefined && !(await outbox.put(frame, slowClientMs))) {
        if (gone()) return undefined;
        return {
          code: "WE-SYS-004",
          details: `the client read nothing for ${slowClientMs} ms while events waited; reconnect with Last-Event-ID to resume`,
        };
      }
    }
    return undefined;
  } catch (error) {
    if (gone()) return undefined;
    return { code: "WE-SYS-002", details: `the event subscription failed: ${messageOf(error)}` };
  }
}

export function eventFeedRoute(options: EventFeedOptions): Hono<HttpEnv> {
  const { store, progressBus } = options;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const knownEventTypes = options.eventTypes ?? jobEventTypes;
  const maxBufferedBytes = options.maxBufferedBytes ?? 1024 * 1024;
  const slowClientMs = options.slowClientMs ?? 30_000;
  const progressIntervalMs = options.progressIntervalMs ?? 250;

  async function serve(
    stream: SSEStreamingApi,
    query: FeedQuery,
    events: OpenEvents | undefined,
    requestId: string,
    signal: AbortSignal,
  ) {
    let aborted = false;
    const left = new Promise<void>((resolve) => {
      const leave = () => {
        aborted = true;
        void events?.subscription.close().catch(() => {});
        resolve();
      };
      stream.onAbort(leave);
      if (signal.aborted) leave();
      signal.addEventListener("abort", leave, { once: true });
    });
    const gone = () => aborted || stream.aborted;

    const outbox = createFeedOutbox({ write: (frame) => stream.write(frame), maxBufferedBytes });
    const throttle = createProgressThrottle({
      intervalMs: progressIntervalMs,
      // ticks are worth nothing a second later: dropped, not queued, when the client lags
      emit: (tick) => outbox.offer(feedFrames.progress(tick)),
    });
    const unsubscribe = query.progress
      ? progressBus.subscribe((tick) => {
          if (query.jobId === undefined || tick.jobId === query.jobId) throttle.push(tick);
        })
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
      ending = events
        ? await sendEvents(events, outbox, slowClientMs, gone)
        : await left.then(() => undefined);
    } finally {
      clearInterval(heartbeat);
      unsubscribe();
      unsubscribeStats();
      throttle.close();
      outbox.close();
      await events?.subscription.close().catch(() => {});
    }
    if (ending && !gone()) {
      // Not awaited: it goes out behind the frame being written, if the client ever reads again;
      // the stream is closed behind it and nothing of ours waits on the client any longer.
      void stream.write(feedFrames.error(errorBody(ending.code, ending.details, requestId)));
    }
  }

  return new Hono<HttpEnv>().get("/v1/events/stream", async (c) => {
    const actor: Actor | undefined = c.get("actor");
    if (actor === undefined)
      throw new ApiError("WE-AUTH-001", "the event feed needs an authenticated caller");
    const query = parseFeedQuery(c.req.query(), c.req.header("Last-Event-ID"), knownEventTypes);
    // `types=progress` alone asks for ticks only: no subscription (an empty type filter means all)
    const events = query.eventTypes?.length === 0 ? undefined : await openEvents(store, query);
    const requestId: string | undefined = c.get("requestId");
    const signal = c.req.raw.signal;
    c.header("X-Accel-Buffering", "no"); // a proxy that buffers would hold events back
    return streamSSE(c, (stream) => serve(stream, query, events, requestId ?? "", signal));
  });
}
