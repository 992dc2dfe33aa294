// A reactor as plain data: what it listens to and how it handles one event. The processor runner in
// infra runs it single-active, from its checkpoint, with bounded retries.
import type { AllFilter, RecordedEvent } from "./eventStore.ts";

export interface RetryPolicy {
  /** Counted attempts before the event is given up on (parked or turned into a failure event). */
  maxAttempts: number;
  /** Backoff between attempts, from `firstDelayMs` doubling up to `maxDelayMs`. */
  firstDelayMs: number;
  maxDelayMs: number;
}

/** Why an event was given up on, as the dead-letter list records it. */
export interface GivenUp {
  error: string;
  attempts: number;
  firstFailedAt: Date;
  lastFailedAt: Date;
}

export interface ReactorDefinition {
  name: string;
  filter?: AllFilter;
  /** Must be idempotent: an event may be handled again after a crash or a change of leader. */
  handle(event: RecordedEvent, signal: AbortSignal): Promise<void>;
  /** Where a reactor without a checkpoint begins. Default "start": nothing was reacted to yet. */
  startAt?: "start" | "end";
  /**
   * An event given up on: record it as a failure on the stream it concerns and answer true, or answer
   * false (or throw) to have it parked in the dead-letter list. Without a hook it is parked.
   */
  onPoison?(event: RecordedEvent, failure: GivenUp): Promise<boolean>;
  /**
   * What the handler needs besides the event store and the database (a work queue). A failure while
   * this answers false is not counted against the event. Default: nothing more.
   */
  dependenciesHealthy?(): Promise<boolean>;
}

export type ReactorState = "standby" | "running" | "retrying" | "stopped";

export interface ReactorStatus {
  state: ReactorState;
  /** The position of the last event handled (or passed over) and saved. */
  position: number;
  /** Since when (epoch ms) the current event has been failing; absent while none is. */
  retryingSince?: number;
  lastError?: string;
}

/** A running reactor. */
export interface Reactor {
  readonly name: string;
  status(): ReactorStatus;
  /** Stops taking events; the event being handled is finished (its handler sees the signal abort). */
  stop(): Promise<void>;
}
