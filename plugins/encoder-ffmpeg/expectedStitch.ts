// What a stitched output must hold, from the probe of the source and the plans of its chunks.
// Every chunk encode lays its frames on the whole encode's constant grid (k / rate from the start),
// so a VFR source's stitched output is CFR too: it is checked against that grid, not against the
// source's own irregular times. The whole encode owns frames [0, ceil(end · rate)) — the same rule by
// which planChunk hands frames to chunks — which for a CFR source kept at its rate is its frame count.
import type { AudioEncodePlan, EncodePlan, SourceFrames } from "../sdk/encoderPlugin.ts";
import { rationalValue } from "./rationalValue.ts";

export interface StitchExpectation {
  /** The output's constant rate, as a rational. */
  readonly frameRate: string;
  readonly frameCount: number;
  /** The source's duration (where its last frame ends); the output's must be within one frame. */
  readonly durationSec: number;
  /** Where chunk i + 1 starts in the output, for i = 0, 1, … */
  readonly seamsSec: readonly number[];
  /** One entry per audio track, in order; the source's duration of the track when it says. */
  readonly audio: readonly { readonly durationSec: number | null }[];
  /** One AAC frame (1024 samples): audio durations round up to it. */
  readonly audioFrameSec: number;
}

/**
 * The frames the whole encode makes at `frameRate`: the source's own count when it is CFR and kept at
 * its rate, else the grid's frames up to where the last source frame ends.
 */
export function wholeEncodeFrameCount(source: SourceFrames, frameRate: string): number {
  const rate = rationalValue(frameRate);
  const keepsRate = !source.variableFrameRate && Math.abs(rationalValue(source.frameRate) - rate) < 1e-9;
  // The 1e-3 absorbs the microsecond rounding of probed times, as planChunk does.
  return keepsRate ? source.frameCount : Math.ceil(source.endSec * rate - 1e-3);
}

export function expectedStitch(
  source: SourceFrames,
  chunkPlans: readonly EncodePlan[],
  audio: AudioEncodePlan | null,
): StitchExpectation {
  const first = chunkPlans[0];
  if (first === undefined) throw new RangeError("a stitch needs at least one chunk plan");
  const rate = rationalValue(first.video.frameRate);
  return {
    frameRate: first.video.frameRate,
    frameCount: wholeEncodeFrameCount(source, first.video.frameRate),
    durationSec: source.endSec,
    seamsSec: chunkPlans.slice(1).map((plan, i) => {
      if (plan.input.chunk === undefined)
        throw new RangeError(`plan ${i + 1} is not a chunk of a split encode`);
      return plan.input.chunk.firstFrame / rate;
    }),
    audio: (audio?.tracks ?? []).map((track) => ({ durationSec: track.durationSec })),
    audioFrameSec: audio === null ? 0 : 1024 / audio.sampleRate,
  };
}
