// The output's keyframe grid: one keyframe every `gop` frames from the first. A split encode whose
// profile aligns its keyframes cuts its chunks on that grid, so each chunk's first frame (a keyframe
// whatever the encoder is told) is a grid point and the stitched output has keyframes nowhere else.
import type { SourceFrames } from "../sdk/encoderPlugin.ts";
import { rationalValue } from "./rationalValue.ts";

/** Frames between keyframes at an output rate. */
export const gopFrames = (frameRate: string, keyframeIntervalSec: number): number =>
  Math.max(1, Math.round(rationalValue(frameRate) * keyframeIntervalSec));

export interface Segment {
  readonly startSec: number;
  readonly endSec: number;
}

/**
 * Moves every inner cut to the nearest grid point (the source's first frame plus a whole number of
 * GOPs). Segments shorter than a GOP could collapse; then the cuts stay as they were.
 */
export function snapToKeyframeGrid(
  segments: readonly Segment[],
  frames: Pick<SourceFrames, "frameTimesSec">,
  frameRate: string,
  gop: number,
): readonly Segment[] {
  if (segments.length < 2) return segments;
  const videoStartSec = frames.frameTimesSec[0] ?? 0;
  const gopSec = gop / rationalValue(frameRate);
  const cuts = segments.slice(1).map((s) => {
    const k = Math.round((s.startSec - videoStartSec) / gopSec);
    return videoStartSec + k * gopSec;
  });
  const first = segments[0]?.startSec ?? 0;
  const last = segments.at(-1)?.endSec ?? 0;
  const bounds = [first, ...cuts, last];
  const increasing = bounds.every((b, i) => i === 0 || b > (bounds[i - 1] ?? 0));
  if (!increasing) return segments;
  return segments.map((_, i) => ({ startSec: bounds[i] ?? 0, endSec: bounds[i + 1] ?? 0 }));
}
