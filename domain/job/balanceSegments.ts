// Smart chunking across the pool: a segment count that is a multiple of the healthy workers (within the
// bounds) keeps every worker busy to the end, where the plain target would leave one worker with an
// extra chunk while the others wait (120 s at 45 s is 3 chunks: on 2 workers one encodes two; 2 of 60 s finish together).
// evenCuts then makes the chunks equally long where the keyframes left them unequal. The audio needs no
// room of its own: it runs beside the chunks, in each worker's light lane.
import type { PlannedSegment, SegmentBounds, SegmentSource } from "./planSegments.ts";

export function balanceSegments(bounds: SegmentBounds, durationSec: number, workers: number): SegmentBounds {
  if (workers < 2 || !(durationSec > 0)) return bounds;
  let best: number | null = null;
  const ideal = durationSec / bounds.targetSec;
  for (let count = workers; durationSec / count >= bounds.minSec; count += workers) {
    if (durationSec / count > bounds.maxSec) continue;
    if (best === null || Math.abs(count - ideal) < Math.abs(best - ideal)) best = count;
  }
  if (best === null) return bounds;
  return { ...bounds, targetSec: durationSec / best };
}

/**
 * Moves the cuts so that every chunk is duration / count long and every worker finishes together. Each
 * cut goes on the frame nearest its ideal place, keyframe or not: a chunk decodes from the keyframe
 * before the frame ahead of its first either way (planChunk), so a keyframe cut would save no decoding.
 * The segments are returned unchanged when the moved ones would break the bounds, or when their count is
 * no multiple of the workers (then the chunks do not finish together whatever their lengths).
 */
export function evenCuts(
  segments: readonly PlannedSegment[],
  source: SegmentSource,
  workers: number,
  bounds: SegmentBounds,
): readonly PlannedSegment[] {
  const count = segments.length;
  const end = source.durationSec;
  if (count < 2 || workers < 2 || count % workers !== 0) return segments;
  const length = end / count;
  const cuts: number[] = [];
  for (let i = 1; i < count; i++) {
    const cut = nearestFrame(source, i * length, cuts.at(-1) ?? 0);
    if (cut === null) return segments;
    cuts.push(cut);
  }
  const starts = [0, ...cuts];
  const moved = starts.map((startSec, index) => ({
    index,
    startSec,
    endSec: starts[index + 1] ?? end,
    startsOnKeyframe: index === 0 || source.keyframeTimesSec.includes(startSec),
  }));
  const inBounds = moved.every(
    (s) => s.endSec - s.startSec >= bounds.minSec && s.endSec - s.startSec <= bounds.maxSec,
  );
  return inBounds ? moved : segments;
}

/** The frame nearest `ideal`, strictly after `after` and before the source's end. */
function nearestFrame(source: SegmentSource, ideal: number, after: number): number | null {
  const { frameTimesSec: frames, durationSec: end } = source;
  const inside = (t: number | undefined): t is number => t !== undefined && t > after && t < end;
  const next = firstAtOrAfter(frames, ideal);
  const candidates = [frames[next - 1], frames[next]].filter(inside);
  let best: number | null = null;
  for (const t of candidates) if (best === null || Math.abs(t - ideal) < Math.abs(best - ideal)) best = t;
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
