// The work-queue port: how the dispatcher hands scheduled tasks to workers and how workers hold them.
// At-least-once, deduplicated by message id, one message at a time per consumer, redelivered when
// a worker stops acknowledging. NATS JetStream in distributed mode, an in-process queue embedded.
import type { JsonObject } from "./eventStore.ts";

/**
 * Which consumers a message is for: "main", the encodes, one at a time per worker; "light", the short
 * work (audio, thumbnails, subtitles, stitches, packages) that a worker runs beside its encode, so that
 * none of it waits behind a long encode nor leaves a core idle at a job's end.
 */
export type WorkLane = "main" | "light";

export interface WorkItem {
  /** Deduplication key: the dispatcher uses the `TaskScheduled` event id. */
  id: string;
  payload: JsonObject;
  /** Not handed to any consumer before this time. */
  notBefore?: Date;
  /** Default "main". */
  lane?: WorkLane;
}

export interface Published {
  /** The id was already published within the dedupe window; nothing was enqueued. */
  duplicate: boolean;
}

export interface ConsumeOptions {
  /** Aborting ends the iteration; a message not yet handed out stays in the queue. */
  signal: AbortSignal;
  /** How long a delivered message may go without ack or `working()` before it is redelivered. */
  ackWaitMs?: number;
  /** The lane this consumer takes messages from. Default "main". */
  lane?: WorkLane;
}

export interface WorkMessage {
  id: string;
  payload: JsonObject;
  /** 1 on the first delivery, counting redeliveries after ack-wait and naks. */
  deliveryCount: number;
  /** Done: the message leaves the queue. Resolves once the queue has recorded it. */
  ack(): Promise<void>;
  /** Not done: redeliver, no sooner than `delayMs` from now (at once without one). */
  nak(delayMs?: number): void;
  /** Still working: restarts the ack-wait clock (heartbeat while ffmpeg runs). */
  working(): void;
  /** Never redeliver: the message leaves the queue unprocessed. */
  term(): void;
}

export interface WorkQueue {
  publish(item: WorkItem): Promise<Published>;
  /** Pull-based: the next message is taken only when the iterator is asked for it. */
  consume(options: ConsumeOptions): AsyncIterable<WorkMessage>;
  /** Messages waiting, deferred or in flight (not yet acked or termed), in every lane. */
  depth(): Promise<number>;
  close(): Promise<void>;
}
