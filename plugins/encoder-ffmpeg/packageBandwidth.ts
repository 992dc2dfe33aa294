// A packaged track's bit rates as HLS defines them (RFC 8216 4.3.4.2): the peak is the highest rate of
// any run of consecutive segments lasting 0.5 to 1.5 target durations, so a short last segment with
// little in it does not count as a peak of its own; the average is over the whole track.
import type { TrackTimeline } from "./packageTimeline.ts";

export function packageBandwidth(timeline: TrackTimeline): {
  readonly peak: number;
  readonly average: number;
} {
  const segments = timeline.segments.map((s) => ({
    bits: s.sizeBytes * 8,
    sec: (s.endPts - s.startPts) / timeline.timescale,
  }));
  const totalSec = segments.reduce((sum, s) => sum + s.sec, 0);
  const average = totalSec > 0 ? segments.reduce((sum, s) => sum + s.bits, 0) / totalSec : 0;
  const target = Math.max(1, Math.round(Math.max(0, ...segments.map((s) => s.sec))));
  let peak = 0;
  for (let i = 0; i < segments.length; i++) {
    let bits = 0;
    let sec = 0;
    for (let j = i; j < segments.length && sec < 1.5 * target; j++) {
      bits += segments[j]!.bits;
      sec += segments[j]!.sec;
      if (sec >= 0.5 * target && sec <= 1.5 * target) peak = Math.max(peak, bits / sec);
    }
  }
  // A track shorter than half a target duration has no such run: its average is its peak.
  return { peak: Math.max(peak, average), average };
}
