// The event-store port on a KurrentDB (EventStoreDB) server through @kurrent/kurrentdb-client.
// KurrentDB already has the port's semantics (expected state, idempotent ids, $all, soft delete,
// tombstones); this adapter translates, pages $all reads, and turns the subscription into our messages.
import {
  BACKWARDS,
  END,
  eventTypeFilter,
  FORWARDS,
  KurrentDBClient,
  type Position,
  START,
  StreamDeletedError,
  StreamNotFoundError,
} from "@kurrent/kurrentdb-client";
import type {
  AppendOutcome,
  EventStore,
  ExpectedState,
  RecordedEvent,
  Subscription,
} from "../../../domain/ports/eventStore.ts";
import {
  allFilterPlanOf,
  appendedOf,
  appendFailureOf,
  comparePositions,
  eventDataOf,
  kurrentStreamMetadataOf,
  NON_SYSTEM_TYPES_REGEX,
  positionNumberOf,
  positionOfCheckpoint,
  recordedEventOf,
  revisionOf,
  storeErrorOf,
  streamMetadataOf,
  streamStateOf,
} from "./kurrentMapping.ts";
import { subscriptionMessages } from "./subscriptionMessages.ts";

const DEFAULT_READ_ALL_COUNT = 1000;

/** `connectionString`: `kurrentdb://host:2113?tls=false` (esdb:// and the client's other options work too). */
export function openKurrentEventStore(connectionString: string): EventStore {
  const client = KurrentDBClient.connectionString(connectionString);
  const openSubscriptions = new Set<Subscription>();

  /** The last visible revision, "no_stream" (missing or soft-deleted) or "tombstoned". */
  async function lastRevisionOf(streamId: string): Promise<number | "no_stream" | "tombstoned"> {
    try {
      for await (const resolved of client.readStream(streamId, {
        direction: BACKWARDS,
        fromRevision: END,
        maxCount: 1,
      })) {
        if (resolved.event) return revisionOf(resolved.event.revision);
      }
      return "no_stream";
    } catch (error) {
      if (error instanceof StreamNotFoundError) return "no_stream";
      if (error instanceof StreamDeletedError) return "tombstoned";
      throw storeErrorOf(`read stream "${streamId}"`, error);
    }
  }

  async function headPositionOf(): Promise<Position | undefined> {
    try {
      for await (const resolved of client.readAll({
        direction: BACKWARDS,
        fromPosition: END,
        maxCount: 1,
        filter: eventTypeFilter({ regex: NON_SYSTEM_TYPES_REGEX }),
      })) {
        if (resolved.event) return resolved.event.position;
      }
      return undefined;
    } catch (error) {
      throw storeErrorOf("read the head of $all", error);
    }
  }

  /** An idempotent replay may come back without a position: take the recorded event's own. */
  async function positionAtRevision(streamId: string, revision: bigint): Promise<Position> {
    if (revision >= 0n) {
      try {
        for await (const resolved of client.readStream(streamId, { fromRevision: revision, maxCount: 1 })) {
          if (resolved.event?.position) return resolved.event.position;
        }
      } catch (error) {
        throw storeErrorOf(`read stream "${streamId}"`, error);
      }
    }
    return (await headPositionOf()) ?? { commit: 0n, prepare: 0n };
  }

  /** KurrentDB refuses `stream_exists` on a soft-deleted stream as deleted; the port calls that no stream. */
  async function isSoftDeleted(streamId: string): Promise<boolean> {
    try {
      const { metadata } = await client.getStreamMetadata(streamId);
      const truncateBefore = streamMetadataOf(metadata).truncateBefore;
      return truncateBefore === Number.MAX_SAFE_INTEGER;
    } catch {
      return false;
    }
  }

  const store: EventStore = {
    async append(streamId, events, { expected }): Promise<AppendOutcome> {
      const streamState = streamStateOf(expected);
      let result: Awaited<ReturnType<typeof client.appendToStream>>;
      try {
        result = await client.appendToStream(streamId, events.map(eventDataOf), { streamState });
      } catch (error) {
        const failure = appendFailureOf(error, streamId, expected);
        if (!failure) throw storeErrorOf(`append to stream "${streamId}"`, error);
        if (
          failure._tag === "StreamDeleted" &&
          expected === "stream_exists" &&
          (await isSoftDeleted(streamId))
        ) {
          return { _tag: "WrongExpectedVersion", streamId, expected, actual: "no_stream" };
        }
        return failure;
      }
      // only with throwOnAppendFailure=false in the connection string does a refusal come back as a value
      if (!result.success) {
        const actual =
          result.nextExpectedRevision < 0n ? "no_stream" : revisionOf(result.nextExpectedRevision);
        return { _tag: "WrongExpectedVersion", streamId, expected, actual };
      }
      const next = result.nextExpectedRevision;
      const position = result.position ?? (await positionAtRevision(streamId, next));
      return appendedOf(next < 0n ? -1 : revisionOf(next), position);
    },

    async readStream(streamId, options = {}): Promise<RecordedEvent[]> {
      const direction = options.direction === "backwards" ? BACKWARDS : FORWARDS;
      const from = options.from ?? (direction === BACKWARDS ? "end" : "start");
      if (options.maxCount !== undefined && options.maxCount <= 0) return [];
      const read: RecordedEvent[] = [];
      try {
        for await (const resolved of client.readStream(streamId, {
          direction,
          fromRevision: from === "start" ? START : from === "end" ? END : BigInt(from),
          ...(options.maxCount === undefined ? {} : { maxCount: options.maxCount }),
        })) {
          if (resolved.event) read.push(recordedEventOf(resolved.event));
        }
      } catch (error) {
        if (error instanceof StreamNotFoundError || error instanceof StreamDeletedError) return [];
        throw storeErrorOf(`read stream "${streamId}"`, error);
      }
      return read;
    },

    async readAll(options = {}): Promise<RecordedEvent[]> {
      const maxCount = options.maxCount ?? DEFAULT_READ_ALL_COUNT;
      const plan = allFilterPlanOf(options.filter);
      let after =
        options.from === undefined || options.from === "start"
          ? undefined
          : positionOfCheckpoint(options.from);
      const read: RecordedEvent[] = [];
      // A read from a position includes the event at it, and a type check here may drop events the server
      // counted: page until enough are kept or the server has nothing more.
      while (read.length < maxCount) {
        const pageSize = maxCount - read.length + (after ? 1 : 0);
        let returned = 0;
        try {
          for await (const resolved of client.readAll({
            direction: FORWARDS,
            fromPosition: after ?? START,
            maxCount: pageSize,
            filter: plan.server,
          })) {
            returned++;
            const event = resolved.event;
            if (!event || (after && comparePositions(event.position, after) <= 0)) continue;
            after = event.position;
            if (plan.accepts(event)) read.push(recordedEventOf(event));
          }
        } catch (error) {
          throw storeErrorOf("read $all", error);
        }
        if (returned < pageSize) break;
      }
      return read.slice(0, maxCount);
    },

    subscribeToAll(options = {}): Subscription {
      const plan = allFilterPlanOf(options.filter);
      const from = options.from ?? "start";
      const after = from === "start" || from === "end" ? undefined : positionOfCheckpoint(from);
      const fromPosition = from === "start" ? START : from === "end" ? END : after!;
      const stopped = new AbortController();
      const stop = () => stopped.abort();
      if (options.signal?.aborted) stop();
      options.signal?.addEventListener("abort", stop, { once: true });

      const iterator = subscriptionMessages(
        () => client.subscribeToAll({ fromPosition, filter: plan.server }),
        { after, accepts: plan.accepts, signal: stopped.signal },
      );
      const subscription: Subscription = {
        [Symbol.asyncIterator]: () => iterator,
        async close() {
          stop();
          options.signal?.removeEventListener("abort", stop);
          openSubscriptions.delete(subscription);
          await iterator.return(undefined);
        },
      };
      openSubscriptions.add(subscription);
      return subscription;
    },

    async getStreamMetadata(streamId) {
      try {
        return streamMetadataOf((await client.getStreamMetadata(streamId)).metadata);
      } catch (error) {
        if (error instanceof StreamDeletedError) return {};
        throw storeErrorOf(`read the metadata of stream "${streamId}"`, error);
      }
    },

    async setStreamMetadata(streamId, metadata) {
      try {
        const current = await client.getStreamMetadata(streamId);
        await client.setStreamMetadata(streamId, kurrentStreamMetadataOf(metadata, current.metadata));
      } catch (error) {
        throw storeErrorOf(`write the metadata of stream "${streamId}"`, error);
      }
    },

    async deleteStream(streamId, options = {}): Promise<AppendOutcome> {
      const expected: ExpectedState = options.expected ?? "any";
      const last = await lastRevisionOf(streamId);
      if (last === "tombstoned") return { _tag: "StreamDeleted", streamId };
      if (
        last === "no_stream" ||
        expected === "no_stream" ||
        (typeof expected === "number" && expected !== last)
      ) {
        return { _tag: "WrongExpectedVersion", streamId, expected, actual: last };
      }
      try {
        // delete exactly what was read, so a concurrent append is refused rather than hidden
        const { position } = await client.deleteStream(streamId, { expectedRevision: BigInt(last) });
        return appendedOf(last, position ?? (await headPositionOf()) ?? { commit: 0n, prepare: 0n });
      } catch (error) {
        const failure = appendFailureOf(error, streamId, expected);
        if (failure) return failure;
        throw storeErrorOf(`delete stream "${streamId}"`, error);
      }
    },

    async tombstoneStream(streamId) {
      try {
        await client.tombstoneStream(streamId);
      } catch (error) {
        if (error instanceof StreamDeletedError) return;
        throw storeErrorOf(`tombstone stream "${streamId}"`, error);
      }
    },

    async headPosition() {
      const head = await headPositionOf();
      return head ? positionNumberOf(head) : 0;
    },

    async close() {
      await Promise.all([...openSubscriptions].map((subscription) => subscription.close()));
      await client.dispose();
    },
  };
  return store;
}
