// Where a split encode cuts its source. Segments cover the source exactly, in order, cut on a frame's
// timestamp always and on a keyframe whenever one lies where the bounds allow a cut; where none does
// (sparse keyframes, one keyframe, VFR) the cut is any frame, and its chunk seeks decode-accurately.

export interface SegmentBounds {
  readonly targetSec: number;
  readonly minSec: number;
  readonly maxSec: number;
}

/** The bounds: 30–60 s aimed at 45, never under 10 s or over 120 s where the source allows. */
export const defaultSegmentBounds: SegmentBounds = { targetSec: 45, minSec: 10, maxSec: 120 };

export interface SegmentSource {
  /** Where the last frame ends, seconds from the source's start. */
  readonly durationSec: number;
  /** Presentation time of every frame, ascending (CFR or not). */
  readonly frameTimesSec: readonly number[];
  /** Times of the frames a decoder can start from, ascending; each is one of `frameTimesSec`. */
  readonly keyframeTimesSec: readonly number[];
}

export interface PlannedSegment {
  readonly index: number;
  readonly startSec: number;
  readonly endSec: number;
  /** False: the cut falls between keyframes, so its chunk must seek decode-accurately. */
  readonly startsOnKeyframe: boolean;
}

export interface SegmentBoundsInvalid {
  readonly _tag: "SegmentBoundsInvalid";
  readonly message: string;
  readonly hint: string;
}

export function segmentBoundsProblem(bounds: SegmentBounds): SegmentBoundsInvalid | null {
  const { targetSec, minSec, maxSec } = bounds;
  if (!(minSec > 0 && minSec <= targetSec && targetSec <= maxSec)) {
    return invalid(`segment bounds need 0 < min ≤ target ≤ max (got ${minSec}, ${targetSec}, ${maxSec})`);
  }
  // Below that, some lengths (1.5 × max with min = 0.8 × max, say) have no split within bounds at all.
  if (maxSec < 2 * minSec)
    return invalid(`segment max (${maxSec} s) must be at least twice the min (${minSec} s)`);
  return null;
}

export function planSegments(
  source: SegmentSource,
  bounds: SegmentBounds = defaultSegmentBounds,
): readonly PlannedSegment[] | SegmentBoundsInvalid {
  const problem = segmentBoundsProblem(bounds);
  if (problem !== null) return problem;
  const { durationSec: end, frameTimesSec: frames, keyframeTimesSec: keyframes } = source;
  const cuts: number[] = [];
  let start = 0;
  for (;;) {
    const cut = nextCut(start, end, frames, keyframes, bounds);
    if (cut === null) break;
    cuts.push(cut);
    start = cut;
  }
  const starts = [0, ...cuts];
  return starts.map((startSec, index) => ({
    index,
    startSec,
    endSec: starts[index + 1] ?? end,
    // The first chunk decodes from the file's start, which needs no seek at all.
    startsOnKeyframe: index === 0 || includes(keyframes, startSec),
  }));
}

/** The next cut after `start`, or null when the rest is the last segment. */
function nextCut(
  start: number,
  end: number,
  frames: readonly number[],
  keyframes: readonly number[],
  { targetSec, minSec, maxSec }: SegmentBounds,
): number | null {
  const rest = end - start;
  const mustCut = rest > maxSec;
  const count = Math.min(
    Math.max(Math.round(rest / targetSec), Math.ceil(rest / maxSec)),
    Math.floor(rest / minSec),
  );
  if (count < 2 && !mustCut) return null;
  const ideal = start + rest / Math.max(count, 2);
  // A cut here keeps this segment and the rest at least `min` long (and this one at most `max`).
  const low = start + minSec;
  const high = Math.min(start + maxSec, end - minSec);
  const onKeyframe = nearest(keyframes, ideal, low, high);
  if (onKeyframe !== null) return onKeyframe;
  // Only an over-long rest is worth a cut between keyframes.
  if (!mustCut) return null;
  // Frames too sparse for the bounds (a slideshow): the frame nearest the ideal, strictly inside the rest.
  return nearest(frames, ideal, low, high) ?? nearest(frames, ideal, start, end, { open: true });
}

/** The time in `times` (ascending) nearest to `ideal` within [low, high] (or (low, high) when open). */
function nearest(
  times: readonly number[],
  ideal: number,
  low: number,
  high: number,
  { open } = { open: false },
): number | null {
  let best: number | null = null;
  for (let i = firstAtOrAfter(times, low); i < times.length; i++) {
    const t = times[i] ?? Number.NaN;
    if (t > high || (open && t === high)) break;
    if (open && t === low) continue;
    if (best === null || Math.abs(t - ideal) < Math.abs(best - ideal)) best = t;
  }
  return best;
}

function firstAtOrAfter(times: readonly number[], value: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((times[mid] ?? 0) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const includes = (times: readonly number[], value: number) => times[firstAtOrAfter(times, value)] === value;

const invalid = (message: string): SegmentBoundsInvalid => ({
  _tag: "SegmentBoundsInvalid",
  message,
  hint: "Set the profile's segment bounds so that 0 < min ≤ target ≤ max and max ≥ 2 × min.",
});
