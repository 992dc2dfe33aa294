// Smart chunking across the pool: a segment count that is a multiple of the healthy workers (within the
// bounds) keeps every worker busy to the end, where the plain target would leave one worker with an
// extra chunk while the others wait (120 s at 45 s is 3 chunks: on 2 workers one encodes two; 2 of 60 s finish together).
import type { SegmentBounds } from "./planSegments.ts";

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
