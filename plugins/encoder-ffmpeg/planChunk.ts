// Frame-exact chunks of a split encode. The whole encode's fps filter puts output frame k at k/rate
// from the source's start and fills it with the last source frame whose time rounds to k or less. A
// chunk owns output frames [ceil(start·rate), ceil(end·rate)), so any partition of the source gives each
// frame to exactly one chunk, on a keyframe or not. Its encode keeps the source's timestamps (-copyts),
// decodes from the frame before its first (so the fps filter sees there what the whole encode saw), lays
// the fps grid from its own first frame and stops after exactly its frame count; the last chunk runs to
// the end, as the whole encode does.
import type { EncodeChunk, SourceFrames } from "../sdk/encoderPlugin.ts";
import type { ChunkTiming } from "../sdk/splitEncoding.ts";
import { rationalValue } from "./rationalValue.ts";

/** A planned segment (seconds from the source's start) and the probe of the source's frames. */
export interface ChunkSegment {
  readonly frames: SourceFrames;
  readonly startSec: number;
  readonly endSec: number;
}

/** Replace the plain `fps=` filter at the head of the chain. */
export const chunkTimingFilters = (timing: ChunkTiming, frameRate: string): string[] => [
  `fps=${frameRate}:start_time=${timing.gridStartSec.toFixed(9)}`,
  // Timestamps restart at zero once the grid is laid, so chunks concatenate end to end.
  "setpts=PTS-STARTPTS",
];

export const encodeChunkOf = ({ seekSec, firstFrame, frameCount }: ChunkTiming): EncodeChunk => ({
  seekSec,
  firstFrame,
  frameCount,
});

export function planChunk(segment: ChunkSegment, frameRate: string): ChunkTiming {
  const rate = rationalValue(frameRate);
  const { frameTimesSec: times, startTimeSec, endSec: sourceEndSec } = segment.frames;
  // The whole encode's grid starts at the first video frame, which need not be the container's start
  // (MPEG-TS whose audio leads the video by its priming, say).
  const videoStartSec = times[0] ?? 0;
  // The 1e-3 absorbs the microsecond rounding of probed times, far below a frame at any real rate.
  const frameAt = (sec: number) =>
    sec <= videoStartSec ? 0 : Math.ceil((sec - videoStartSec) * rate - 1e-3);
  const firstFrame = frameAt(segment.startSec);
  const before = lastBefore(times, segment.startSec);
  const last = (times.at(-1) ?? 0) < segment.endSec;
  const frameCount = last ? null : frameAt(segment.endSec) - firstFrame;
  const gridStartSec = startTimeSec + videoStartSec + firstFrame / rate;
  return {
    // Halfway between two frames, so rounding of the seek can neither take nor drop either.
    seekSec: before >= 1 ? ((times[before - 1] ?? 0) + (times[before] ?? 0)) / 2 : 0,
    firstFrame,
    frameCount,
    gridStartSec,
    durationSec: frameCount === null ? sourceEndSec - videoStartSec - firstFrame / rate : frameCount / rate,
  };
}

/** Index of the last time strictly before `sec` in ascending `times`; -1 when none is. */
function lastBefore(times: readonly number[], sec: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((times[mid] ?? 0) < sec) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
