// A live stream's figures as the studio draws them: the stats answer, moved on by each SSE telemetry
// frame between two polls, with its sampled series kept to the window the API keeps (ten minutes).
import type { StreamStats, TelemetryFrame, TelemetrySample } from "./apiTypes.ts";

export const SERIES_WINDOW_MS = 10 * 60_000;

/** The frame as one more point of the series: in time order, one per instant, none older than the window. */
export function appendSample(
  series: readonly TelemetrySample[],
  sample: TelemetrySample,
  windowMs = SERIES_WINDOW_MS,
): TelemetrySample[] {
  const at = Date.parse(sample.at);
  const kept = series.filter((point) => point.at !== sample.at && Date.parse(point.at) >= at - windowMs);
  const index = kept.findIndex((point) => Date.parse(point.at) > at);
  if (index === -1) kept.push(sample);
  else kept.splice(index, 0, sample);
  return kept;
}

/** The stats with a frame's figures over them and the frame added to the series; older frames change nothing. */
export function applyTelemetryFrame(stats: StreamStats, frame: TelemetryFrame): StreamStats {
  if (stats.sampled_at !== null && Date.parse(frame.at) <= Date.parse(stats.sampled_at)) return stats;
  const sample: TelemetrySample = {
    at: frame.at,
    video_bitrate_kbps: frame.video_bitrate_kbps,
    audio_bitrate_kbps: frame.audio_bitrate_kbps,
    fps: frame.fps,
    dropped_frames: frame.dropped_frames,
    viewers: frame.viewers,
  };
  return {
    ...stats,
    bitrate_kbps: frame.video_bitrate_kbps + frame.audio_bitrate_kbps,
    video_bitrate_kbps: frame.video_bitrate_kbps,
    audio_bitrate_kbps: frame.audio_bitrate_kbps,
    fps: frame.fps,
    keyframe_interval_seconds: frame.keyframe_interval_seconds,
    dropped_frames: frame.dropped_frames,
    uptime_seconds: frame.uptime_seconds,
    width: frame.width,
    height: frame.height,
    video_codec: frame.video_codec,
    audio_codec: frame.audio_codec,
    viewers: frame.viewers ?? stats.viewers,
    sampled_at: frame.at,
    series: appendSample(stats.series, sample),
  };
}
