// Whether a packaged ladder lets a player switch renditions at any segment boundary: every segment of
// every rendition opens on a keyframe, at the same time as the same segment of the top rendition.

import type { TrackTimeline } from "./packageTimeline.ts";
import { rationalValue } from "./rationalValue.ts";

export interface Misalignment {
  readonly rendition: string;
  /** 1-based, as the segment files are numbered. */
  readonly segment: number;
  /** Where that rendition's segment starts, in seconds from its first segment. */
  readonly timeSec: number;
  readonly message: string;
}

/**
 * Times are compared from each rendition's first segment: encoders with and without B-frames start
 * their presentation a frame or two apart, which players absorb; a cut in another place they cannot.
 */
export function packageAlignment(
  renditions: readonly { readonly name: string; readonly timeline: TrackTimeline }[],
): Misalignment | null {
  const [top] = renditions;
  if (top === undefined) return null;
  const starts = (timeline: TrackTimeline) =>
    timeline.segments.map((s) => (s.firstPts - timeline.segments[0]!.firstPts) / timeline.timescale);
  const topStarts = starts(top.timeline);
  for (const { name, timeline } of renditions) {
    const own = starts(timeline);
    // Half the shortest frame of the two: a keyframe at "the same time" is the same frame.
    const frameSec = Math.min(frameDuration(timeline), frameDuration(top.timeline));
    for (let i = 0; i < Math.max(own.length, topStarts.length); i++) {
      const mine = own[i];
      const theirs = topStarts[i];
      const segment = i + 1;
      if (mine === undefined || theirs === undefined) {
        const timeSec = mine ?? theirs ?? 0;
        return {
          rendition: name,
          segment,
          timeSec,
          message: `rendition ${name} has ${own.length} segments and ${top.name} has ${topStarts.length}: they part at ${timeSec.toFixed(3)} s`,
        };
      }
      if (!timeline.segments[i]!.firstIsKeyframe) {
        return {
          rendition: name,
          segment,
          timeSec: mine,
          message: `rendition ${name}: segment ${segment} (at ${mine.toFixed(3)} s) does not start with a keyframe`,
        };
      }
      if (Math.abs(mine - theirs) > frameSec / 2) {
        return {
          rendition: name,
          segment,
          timeSec: mine,
          message: `rendition ${name}: segment ${segment} starts at ${mine.toFixed(3)} s, ${top.name}'s at ${theirs.toFixed(3)} s`,
        };
      }
    }
  }
  return null;
}

function frameDuration(timeline: TrackTimeline): number {
  const rate = rationalValue(timeline.stream.frameRate ?? "");
  return rate > 0 ? 1 / rate : 0.02;
}
