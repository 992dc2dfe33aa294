// The spec's Transcode: one encode as a stream of progress ending in its outcome, so a caller in
// another process reads the same calls as one in this process. Stopping the stream early kills the encode.
import type {
  EncodeOptions,
  EncodeOutcome,
  EncodePlan,
  EncodeProgress,
  EncoderEngine,
} from "./encoderPlugin.ts";

export type TranscodeUpdate = ({ readonly _tag: "EncodeProgress" } & EncodeProgress) | EncodeOutcome;

/** What encode takes, less the callback and the signal: the stream carries both. */
export type TranscodeOptions = Omit<EncodeOptions, "onProgress" | "signal">;

/**
 * Yields progress while the encode runs and then its outcome, once, last. Progress is a sample, not a
 * log: a reader slower than the encoder gets the latest figure, never a growing backlog. A reader that
 * stops (break, return, throw) cancels the encode and waits until its process is gone.
 */
export async function* transcode(
  engine: Pick<EncoderEngine, "encode">,
  plan: EncodePlan,
  options: TranscodeOptions,
): AsyncGenerator<TranscodeUpdate, void, undefined> {
  const abort = new AbortController();
  // written by the encode's callbacks, read by the loop below
  const state: {
    latest: EncodeProgress | null;
    ended: { outcome: EncodeOutcome } | { error: unknown } | null;
    wake: (() => void) | null;
  } = { latest: null, ended: null, wake: null };
  const nudge = () => {
    state.wake?.();
    state.wake = null;
  };
  const running = engine
    .encode(plan, {
      ...options,
      signal: abort.signal,
      onProgress(progress) {
        state.latest = progress;
        nudge();
      },
    })
    .then(
      (outcome) => {
        state.ended = { outcome };
      },
      (error: unknown) => {
        state.ended = { error };
      },
    )
    .finally(nudge);
  try {
    while (true) {
      if (state.latest !== null) {
        const progress = state.latest;
        state.latest = null;
        yield { _tag: "EncodeProgress", ...progress };
        continue;
      }
      if (state.ended !== null) {
        if ("error" in state.ended) throw state.ended.error;
        yield state.ended.outcome;
        return;
      }
      await new Promise<void>((resolve) => {
        state.wake = resolve;
      });
    }
  } finally {
    if (state.ended === null) {
      abort.abort();
      await running;
    }
  }
}
