// One client's stored events: what it resumes after comes from a subscription of its own, read at the
// client's pace; once that has caught up the subscription closes and the client takes the shared tail's
// events from the hand-over position on, so an idle client holds nothing of the database. A client that
// falls too far behind the tail goes back to the store and catches up again: nothing lost, nothing twice.

import type {
  EventStore,
  RecordedEvent,
  Subscription,
  SubscriptionMessage,
} from "../../domain/ports/eventStore.ts";
import { ApiError } from "../../infra/http/apiError.ts";
import type { Actor } from "../../infra/http/httpEnv.ts";
import type { ErrorCode } from "../../schemas/errors.ts";
import { jobStream } from "../../schemas/events/streamNames.ts";
import { feedFrames } from "./feedFrames.ts";
import type { FeedOutbox, Frame } from "./feedOutbox.ts";
import type { FeedTail, TailListener, TailMembership } from "./feedTail.ts";
import { feedVisibility } from "./feedVisibility.ts";
import type { FeedQuery } from "./parseFeedQuery.ts";

export interface Ending {
  code: ErrorCode;
  details: string;
}

export interface FeedEventsOptions {
  store: EventStore;
  tail: FeedTail;
  /** Tail events held for a client that is busy writing; beyond, it catches up from the store. */
  maxQueuedEvents: number;
}

/** A subscription of the client's own, its first message already read. */
interface CatchUp {
  subscription: Subscription;
  next(): Promise<IteratorResult<SubscriptionMessage>>;
}

interface TailQueue {
  listener: TailListener;
  /** The oldest event handed over and not yet taken. */
  peek(): RecordedEvent | undefined;
  /** Takes the oldest event. */
  shift(): void;
  /** More was handed over than the queue holds: what it held is gone, the store has it. */
  readonly overflowed: boolean;
  /** Called after each run of events the tail hands over, and when the client goes. */
  onFlush: () => void;
}

/** Where a client is bound: the tail (with what it queued), and its own subscription while catching up. */
export interface FeedEvents {
  queue: TailQueue;
  membership: TailMembership;
  catchUp: CatchUp | undefined;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

function createTailQueue(limit: number, signal: AbortSignal): TailQueue {
  let events: RecordedEvent[] = [];
  let first = 0; // taken from the front by moving this, not by shifting the array
  let overflowed = false;
  const queue: TailQueue = {
    listener: {
      event(event) {
        if (overflowed) return;
        if (events.length - first < limit) events.push(event);
        else {
          overflowed = true;
          events = [];
          first = 0;
        }
      },
      flush: () => queue.onFlush(),
    },
    peek: () => events[first],
    shift() {
      first++;
      if (first === events.length) {
        events = [];
        first = 0;
      }
    },
    get overflowed() {
      return overflowed;
    },
    onFlush: () => {},
  };
  signal.addEventListener("abort", () => queue.onFlush(), { once: true });
  return queue;
}

/**
 * Subscribes and waits for the first message, so that a checkpoint this store cannot resume from is a
 * 400 before the stream starts rather than a stream that fails at once and is retried for ever.
 */
async function openCatchUp(store: EventStore, query: FeedQuery, from: string): Promise<CatchUp> {
  const subscription = store.subscribeToAll({
    from,
    filter: {
      ...(query.jobId === undefined ? {} : { streamPrefixes: [jobStream.name(query.jobId)] }),
      ...(query.eventTypes === undefined ? {} : { eventTypes: query.eventTypes }),
    },
  });
  const iterator = subscription[Symbol.asyncIterator]();
  let first: Promise<IteratorResult<SubscriptionMessage>> | undefined;
  try {
    const read = await iterator.next();
    first = Promise.resolve(read);
  } catch (error) {
    await subscription.close().catch(() => {});
    if (from === "start" || from === "end") throw error;
    // the store refuses what it did not issue; no other store call is made before the first message
    throw new ApiError("WE-JOB-001", `cannot resume after last event id ${from}: ${messageOf(error)}`, {
      hint: "Reconnect without Last-Event-ID (from=start or from=end)",
    });
  }
  return {
    subscription,
    next() {
      const read = first ?? iterator.next();
      first = undefined;
      return read;
    },
  };
}

/** Joins the tail and, unless the client starts at the end, opens its catch-up. Throws ApiError on a bad resume point. */
export async function openFeedEvents(
  options: FeedEventsOptions,
  query: FeedQuery,
  signal: AbortSignal,
): Promise<FeedEvents> {
  const queue = createTailQueue(options.maxQueuedEvents, signal);
  const membership = await options.tail.join(queue.listener);
  // a store that cannot say where a catch-up ended keeps every client on a subscription of its own
  if (membership.head === undefined) membership.leave();
  try {
    const catchUp =
      query.from !== "end" || membership.head === undefined
        ? await openCatchUp(options.store, query, query.from)
        : undefined;
    return { queue, membership, catchUp };
  } catch (error) {
    membership.leave();
    throw error;
  }
}

const matches = (query: FeedQuery, actor: Actor, event: RecordedEvent) =>
  feedVisibility.mayRead(actor, event.streamId) &&
  (query.jobId === undefined || event.streamId.startsWith(jobStream.name(query.jobId))) &&
  (query.eventTypes === undefined || query.eventTypes.includes(event.type));

interface Client {
  query: FeedQuery;
  actor: Actor;
  outbox: FeedOutbox;
  slowClientMs: number;
  /** Aborted when the client leaves or its feed is ended. */
  signal: AbortSignal;
}

type Ended = { _tag: "Ended"; ending: Ending | undefined };
type Sent = { _tag: "Sent" } | Ended;
const sent: Sent = { _tag: "Sent" };

/** The client read nothing for `slowClientMs` while stored events waited: it is dropped. */
const slowClient = (client: Client): Ending => ({
  code: "WE-SYS-004",
  details: `the client read nothing for ${client.slowClientMs} ms while events waited; reconnect with Last-Event-ID to resume`,
});

/** Writes a stored event's frame once there is room; a client that makes none in time is dropped. */
async function put(client: Client, frame: Frame): Promise<Sent> {
  if (await client.outbox.put(frame, client.slowClientMs)) return sent;
  return { _tag: "Ended", ending: client.signal.aborted ? undefined : slowClient(client) };
}

type CaughtUp = { _tag: "CaughtUp"; position: number | undefined; checkpoint: string | null };

/** Sends what the client's own subscription reads, up to its caught-up point when `untilCaughtUp`. */
async function sendCatchUp(
  client: Client,
  catchUp: CatchUp,
  untilCaughtUp: boolean,
): Promise<Sent | CaughtUp> {
  try {
    for (let next = await catchUp.next(); !next.done; next = await catchUp.next()) {
      const message = next.value;
      let frame: Frame | undefined;
      if (message.type === "event") {
        if (matches(client.query, client.actor, message.event)) frame = feedFrames.event(message.event);
      } else if (message.type === "caughtUp" && untilCaughtUp) {
        return { _tag: "CaughtUp", position: message.position, checkpoint: message.checkpoint };
      } else if (message.checkpoint !== null) {
        frame = feedFrames.resumePoint(message.checkpoint);
      }
      const outcome = frame === undefined ? sent : await put(client, frame);
      if (outcome._tag === "Ended") return outcome;
    }
    return { _tag: "Ended", ending: undefined };
  } catch (error) {
    if (client.signal.aborted) return { _tag: "Ended", ending: undefined };
    return {
      _tag: "Ended",
      ending: { code: "WE-SYS-002", details: `the event subscription failed: ${messageOf(error)}` },
    };
  }
}

type Live = Ended | { _tag: "Overflowed"; checkpoint: string | null };

/**
 * Sends what the tail hands over after `position`; "overflowed" when the client must catch up again.
 * Each run of events is written as the tail flushes it, within that call: no promise per client and
 * event. Only a client whose buffer is full is waited for, and then alone.
 */
async function sendLive(
  client: Client,
  queue: TailQueue,
  from: { position: number; checkpoint: string | null },
): Promise<Live> {
  let cursor = from;
  if (cursor.checkpoint !== null) {
    const outcome = await put(client, feedFrames.resumePoint(cursor.checkpoint));
    if (outcome._tag === "Ended") return outcome;
  }
  return new Promise<Live>((resolve) => {
    let waiting = false;
    // the last event taken when the client was sent nothing since: a resume point goes out for it
    let skipped: string | undefined;
    const finish = (live: Live) => {
      queue.onFlush = () => {};
      resolve(live);
    };
    const send = () => {
      if (waiting) return;
      if (client.signal.aborted) return finish({ _tag: "Ended", ending: undefined });
      if (queue.overflowed) return finish({ _tag: "Overflowed", checkpoint: cursor.checkpoint });
      for (let event = queue.peek(); event !== undefined; event = queue.peek()) {
        // at or before the hand-over: sent by the catch-up already
        if (event.position > cursor.position) {
          if (matches(client.query, client.actor, event)) {
            if (!client.outbox.offer(feedFrames.event(event))) return waitForRoom();
            skipped = undefined;
          } else skipped = event.checkpoint;
          cursor = { position: event.position, checkpoint: event.checkpoint };
        }
        queue.shift();
      }
      // one resume point per run the client saw nothing of, so a reconnect does not read it again
      if (skipped !== undefined && client.outbox.offer(feedFrames.resumePoint(skipped))) skipped = undefined;
    };
    const waitForRoom = () => {
      waiting = true;
      void client.outbox.whenRoom(client.slowClientMs).then((room) => {
        waiting = false;
        if (room) send();
        else finish({ _tag: "Ended", ending: client.signal.aborted ? undefined : slowClient(client) });
      });
    };
    queue.onFlush = send;
    send(); // what the tail handed over during the catch-up
  });
}

/** Sends stored events until the client goes (undefined) or the feed must end with an error. */
export async function sendFeedEvents(
  options: FeedEventsOptions,
  client: Client,
  opened: FeedEvents,
): Promise<Ending | undefined> {
  let { queue, membership, catchUp } = opened;
  const closeCatchUp = () => catchUp?.subscription.close().catch(() => {});
  client.signal.addEventListener("abort", () => void closeCatchUp(), { once: true });
  try {
    for (;;) {
      let handOver = membership.head;
      if (catchUp !== undefined) {
        const outcome = await sendCatchUp(client, catchUp, handOver !== undefined);
        if (outcome._tag === "Ended") return outcome.ending;
        if (outcome._tag === "CaughtUp") {
          const { position, checkpoint } = outcome;
          if (position === undefined || handOver === undefined || position < handOver.position) {
            // cannot tell that the catch-up reached the hand-over: stay on the client's own subscription
            membership.leave();
            const rest = await sendCatchUp(client, catchUp, false);
            return rest._tag === "Ended" ? rest.ending : undefined;
          }
          await closeCatchUp();
          catchUp = undefined;
          handOver = { position, checkpoint };
        }
      }
      const live = await sendLive(client, queue, handOver!);
      if (live._tag === "Ended") return live.ending;
      // the store still holds what the queue dropped: catch up from there, then join again
      membership.leave();
      queue = createTailQueue(options.maxQueuedEvents, client.signal);
      membership = await options.tail.join(queue.listener);
      catchUp = await openCatchUp(options.store, client.query, live.checkpoint ?? "start");
    }
  } catch (error) {
    if (client.signal.aborted) return undefined;
    return { code: "WE-SYS-002", details: `the event feed failed: ${messageOf(error)}` };
  } finally {
    membership.leave();
    await closeCatchUp();
  }
}
