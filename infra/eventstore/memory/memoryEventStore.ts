// In-memory event store for unit tests only; passes the same contract as the real adapters.
import type {
  AppendOutcome,
  EventStore,
  RecordedEvent,
  StreamMetadata,
  SubscriptionMessage,
} from "../../../domain/ports/eventStore.ts";

interface StreamState {
  revision: number;
  deleted: boolean;
  tombstoned: boolean;
  metadata: StreamMetadata;
  events: RecordedEvent[];
}

const positionOf = (checkpoint: string | undefined) =>
  checkpoint === undefined || checkpoint === "start" ? 0 : Number(checkpoint);

export function createMemoryEventStore(): EventStore {
  const all: RecordedEvent[] = [];
  const streams = new Map<string, StreamState>();
  let waiters: Array<() => void> = [];

  const streamOf = (id: string): StreamState => {
    let state = streams.get(id);
    if (!state) {
      state = { revision: -1, deleted: false, tombstoned: false, metadata: {}, events: [] };
      streams.set(id, state);
    }
    return state;
  };
  const exists = (s: StreamState) => s.revision >= 0 && !s.deleted;
  const matches = (
    event: RecordedEvent,
    filter: { eventTypes?: readonly string[]; streamPrefixes?: readonly string[] } = {},
  ) =>
    (!filter.eventTypes?.length || filter.eventTypes.includes(event.type)) &&
    (!filter.streamPrefixes?.length || filter.streamPrefixes.some((p) => event.streamId.startsWith(p)));
  const visible = (s: StreamState) => {
    const { truncateBefore = 0, maxCount, maxAge } = s.metadata;
    return s.events.filter(
      (e) =>
        e.revision >= truncateBefore &&
        (maxCount === undefined || e.revision > s.revision - maxCount) &&
        (maxAge === undefined || e.createdAt.getTime() >= Date.now() - maxAge * 1000),
    );
  };

  const store: EventStore = {
    async append(streamId, events, { expected }): Promise<AppendOutcome> {
      const s = streamOf(streamId);
      if (s.tombstoned) return { _tag: "StreamDeleted", streamId };
      const actual = exists(s) ? s.revision : "no_stream";
      const wrong = (): AppendOutcome => ({ _tag: "WrongExpectedVersion", streamId, expected, actual });
      const found = events.map((e) => s.events.find((r) => r.id === e.id));
      if (found.some(Boolean)) {
        const first = found[0]?.revision ?? -1;
        const contiguous = found.every((r, i) => r && r.revision === first + i);
        const compatible =
          expected === "any" ||
          (expected === "no_stream" && first === 0) ||
          (expected === "stream_exists" && first > 0) ||
          expected === first - 1;
        if (!contiguous || !compatible) return wrong();
        const last = found.at(-1)!;
        return {
          _tag: "Appended",
          nextExpectedRevision: last.revision,
          position: last.position,
          checkpoint: last.checkpoint,
        };
      }
      const ok =
        expected === "any" ||
        (expected === "no_stream" && !exists(s)) ||
        (expected === "stream_exists" && exists(s)) ||
        (exists(s) && s.revision === expected);
      if (!ok) return wrong();
      for (const e of events) {
        s.revision++;
        const position = all.length + 1;
        const recorded: RecordedEvent = {
          ...structuredClone(e),
          streamId,
          revision: s.revision,
          position,
          checkpoint: String(position),
          createdAt: new Date(),
        };
        all.push(recorded);
        s.events.push(recorded);
      }
      if (events.length > 0) s.deleted = false;
      const woken = waiters;
      waiters = [];
      for (const wake of woken) wake();
      return {
        _tag: "Appended",
        nextExpectedRevision: s.revision,
        position: all.length,
        checkpoint: String(all.length),
      };
    },
    async readStream(streamId, options = {}) {
      const s = streams.get(streamId);
      if (!s) return [];
      const backwards = options.direction === "backwards";
      const from = options.from ?? (backwards ? "end" : "start");
      const at = from === "start" ? 0 : from === "end" ? Number.MAX_SAFE_INTEGER : from;
      const events = visible(s).filter((e) => (backwards ? e.revision <= at : e.revision >= at));
      if (backwards) events.reverse();
      return events.slice(0, options.maxCount ?? events.length);
    },
    async readAll(options = {}) {
      const from = positionOf(options.from);
      return all
        .filter((e) => e.position > from && matches(e, options.filter))
        .slice(0, options.maxCount ?? 1000);
    },
    subscribeToAll(options = {}) {
      const controller = new AbortController();
      options.signal?.addEventListener("abort", () => controller.abort(), { once: true });
      async function* run(): AsyncGenerator<SubscriptionMessage> {
        let position = options.from === "end" ? all.length : positionOf(options.from);
        let caughtUp = false;
        while (!controller.signal.aborted) {
          while (position < all.length) {
            const event = all[position++]!;
            if (matches(event, options.filter)) yield { type: "event", event };
            if (controller.signal.aborted) return;
          }
          if (!caughtUp) {
            caughtUp = true;
            yield { type: "caughtUp", checkpoint: String(position) };
            continue;
          }
          await new Promise<void>((resolve) => {
            waiters.push(resolve);
            controller.signal.addEventListener("abort", () => resolve(), { once: true });
          });
        }
      }
      const iterator = run();
      return {
        [Symbol.asyncIterator]: () => iterator,
        async close() {
          controller.abort();
          await iterator.return(undefined);
        },
      };
    },
    async getStreamMetadata(streamId) {
      return { ...(streams.get(streamId)?.metadata ?? {}) };
    },
    async setStreamMetadata(streamId, metadata) {
      streamOf(streamId).metadata = { ...metadata };
    },
    async deleteStream(streamId, options = {}) {
      const s = streamOf(streamId);
      const expected = options.expected ?? "any";
      if (s.tombstoned) return { _tag: "StreamDeleted", streamId };
      if (!exists(s)) return { _tag: "WrongExpectedVersion", streamId, expected, actual: "no_stream" };
      if (typeof expected === "number" && expected !== s.revision) {
        return { _tag: "WrongExpectedVersion", streamId, expected, actual: s.revision };
      }
      s.deleted = true;
      s.metadata = { ...s.metadata, truncateBefore: s.revision + 1 };
      return {
        _tag: "Appended",
        nextExpectedRevision: s.revision,
        position: all.length,
        checkpoint: String(all.length),
      };
    },
    async tombstoneStream(streamId) {
      const s = streamOf(streamId);
      s.tombstoned = true;
      s.deleted = true;
    },
    async headPosition() {
      return all.length;
    },
    async close() {},
  };
  return store;
}
