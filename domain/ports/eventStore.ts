// The event store port: what the command side, the projectors and the reactors need from any store.
// KurrentDB's semantics, so that a Postgres store and a KurrentDB cluster are interchangeable.

/** What the writer believes about the stream before appending. A number is the exact last revision. */
export type ExpectedState = "any" | "no_stream" | "stream_exists" | number;

export type JsonObject = { [key: string]: unknown };

export interface EventData {
  /**
   * UUID; unique within the stream. Re-appending the same ids at the same expected revision is
   * idempotent. (KurrentDB checks ids only against recent appends: at the stream's current revision
   * it appends a re-sent batch again; the PostgreSQL store refuses it.)
   */
  id: string;
  type: string;
  data: JsonObject;
  metadata: JsonObject;
}

export interface RecordedEvent extends EventData {
  streamId: string;
  /** 0-based index of the event in its stream. */
  revision: number;
  /** Global order in $all: strictly increasing in commit order. */
  position: number;
  /** Opaque resume token for readAll/subscribeToAll (exclusive: resuming continues after it). */
  checkpoint: string;
  createdAt: Date;
}

export interface Appended {
  _tag: "Appended";
  /** Revision of the last event now in the stream. */
  nextExpectedRevision: number;
  position: number;
  checkpoint: string;
}

export interface WrongExpectedVersion {
  _tag: "WrongExpectedVersion";
  streamId: string;
  expected: ExpectedState;
  /** The stream's last revision, or "no_stream". */
  actual: number | "no_stream";
}

export interface StreamDeleted {
  _tag: "StreamDeleted";
  streamId: string;
}

export type AppendOutcome = Appended | WrongExpectedVersion | StreamDeleted;

export interface ReadStreamOptions {
  /** Revision to start at (inclusive); default: start when forwards, end when backwards. */
  from?: number | "start" | "end";
  direction?: "forwards" | "backwards";
  maxCount?: number;
}

export interface AllFilter {
  eventTypes?: readonly string[];
  streamPrefixes?: readonly string[];
}

export interface ReadAllOptions {
  /** Checkpoint to continue after (exclusive), or "start". */
  from?: string | "start";
  maxCount?: number;
  filter?: AllFilter;
}

export interface SubscribeOptions {
  /** Checkpoint to continue after (exclusive), "start" or "end" (only new events). */
  from?: string | "start" | "end";
  filter?: AllFilter;
  signal?: AbortSignal;
}

export type SubscriptionMessage =
  | { type: "event"; event: RecordedEvent }
  /** Sent once, when the subscription has delivered everything committed when it started. */
  | { type: "caughtUp"; checkpoint: string | null; position?: number }
  /**
   * Optional, from filtered subscriptions: everything up to `position` has been looked at and what
   * matched was delivered (so a reader waiting for a position the filter skips need not wait forever).
   */
  | { type: "checkpoint"; checkpoint: string; position: number };

export interface Subscription extends AsyncIterable<SubscriptionMessage> {
  close(): Promise<void>;
}

export interface StreamMetadata {
  /** Events with a revision below this are hidden from readStream. */
  truncateBefore?: number;
  maxCount?: number;
  /** Seconds. */
  maxAge?: number;
}

export interface EventStore {
  append(
    streamId: string,
    events: readonly EventData[],
    options: { expected: ExpectedState },
  ): Promise<AppendOutcome>;
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  subscribeToAll(options?: SubscribeOptions): Subscription;
  getStreamMetadata(streamId: string): Promise<StreamMetadata>;
  setStreamMetadata(streamId: string, metadata: StreamMetadata): Promise<void>;
  /** Soft delete: hides the stream's events (truncate-before at the end); appending re-creates it. */
  deleteStream(streamId: string, options?: { expected?: ExpectedState }): Promise<AppendOutcome>;
  /** Hard delete: the stream can never be written again. */
  tombstoneStream(streamId: string): Promise<void>;
  /** Position of the last committed event in $all (0 when empty). */
  headPosition(): Promise<number>;
  close(): Promise<void>;
}
