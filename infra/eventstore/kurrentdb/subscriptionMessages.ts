// Turns the client's $all subscription (a stream of events, with "caught up" as a separate emitter event)
// into the port's ordered messages: events, then one caughtUp exactly where the catch-up ended, then live.
import type { AllStreamResolvedEvent, AllStreamSubscription, Position } from "@kurrent/kurrentdb-client";
import type { SubscriptionMessage } from "../../../domain/ports/eventStore.ts";
import { checkpointOf, comparePositions, recordedEventOf, storeErrorOf } from "./kurrentMapping.ts";

export interface SubscriptionMessagesOptions {
  /** Resume after this position (exclusive). */
  after?: Position;
  /** The part of the filter the server did not apply. */
  accepts(event: { streamId: string; type: string }): boolean;
  signal: AbortSignal;
}

/** Opens the subscription on the first `next()`; unsubscribes when it ends, fails, or is returned. */
export async function* subscriptionMessages(
  open: () => AllStreamSubscription,
  { after, accepts, signal }: SubscriptionMessagesOptions,
): AsyncGenerator<SubscriptionMessage> {
  if (signal.aborted) return;
  const source = open();
  // "caughtUp" is emitted while the events before it may still sit unread in the stream's buffer: note how
  // many events had been pushed by then, and say "caught up" once exactly that many have been read.
  let pulled = 0;
  let caughtUpAt: number | undefined;
  let caughtUpSent = false;
  let lastCheckpoint = after ? checkpointOf(after) : null;
  let failure: unknown;
  let ended = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    const resume = wake;
    wake = undefined;
    resume?.();
  };
  source.on("readable", notify);
  source.on("caughtUp", () => {
    caughtUpAt ??= pulled + source.readableLength;
    notify();
  });
  source.on("error", (error: Error) => {
    failure ??= error;
    notify();
  });
  source.on("end", () => {
    ended = true;
    notify();
  });
  signal.addEventListener("abort", notify, { once: true });
  try {
    while (!signal.aborted) {
      if (!caughtUpSent && caughtUpAt !== undefined && pulled >= caughtUpAt) {
        caughtUpSent = true;
        yield { type: "caughtUp", checkpoint: lastCheckpoint };
        continue;
      }
      const resolved = source.read() as AllStreamResolvedEvent | null;
      if (resolved !== null) {
        pulled++;
        const event = resolved.event;
        if (!event || (after && comparePositions(event.position, after) <= 0)) continue;
        // every event read moves the checkpoint, kept or filtered out: resuming never re-reads it
        lastCheckpoint = checkpointOf(event.position);
        if (accepts(event)) yield { type: "event", event: recordedEventOf(event) };
        continue;
      }
      if (failure !== undefined) throw storeErrorOf("subscription to $all", failure);
      if (ended) throw new Error("KurrentDB event store: the server ended the subscription to $all");
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    signal.removeEventListener("abort", notify);
    await source.unsubscribe().catch(() => undefined);
    source.destroy();
  }
}
