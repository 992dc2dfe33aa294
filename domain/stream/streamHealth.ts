// A live stream's health from its latest figures, for the studio's "Excellent / Degraded / Poor": the
// worst finding wins, and its reason is the one given.

/** What the verdict reads of a telemetry tick. */
export interface HealthFigures {
  readonly sessionId: string;
  readonly videoBitrateKbps: number;
  readonly fps: number;
  readonly keyframeIntervalSeconds: number | null;
  readonly droppedFrames: number;
  readonly uptimeSeconds: number;
}

export type HealthVerdict = "excellent" | "degraded" | "poor" | "offline";

export interface StreamHealth {
  verdict: HealthVerdict;
  reason: string;
}

/** `previous`: a tick of the same session some seconds before, to see frames dropped since. */
export function streamHealth(
  tick: HealthFigures | undefined,
  previous: HealthFigures | undefined,
  status: "idle" | "live" | "reconnecting",
): StreamHealth {
  if (status === "idle") return { verdict: "offline", reason: "no publisher" };
  if (status === "reconnecting")
    return { verdict: "poor", reason: "the publisher dropped; waiting for it to return" };
  if (tick === undefined) return { verdict: "degraded", reason: "no figures yet" };
  const findings: StreamHealth[] = [];
  if (tick.videoBitrateKbps <= 0) findings.push({ verdict: "poor", reason: "no video arriving" });
  else if (tick.videoBitrateKbps < 300)
    findings.push({
      verdict: "degraded",
      reason: `video bitrate low (${Math.round(tick.videoBitrateKbps)} kbps)`,
    });
  if (tick.fps > 0 && tick.fps < 15)
    findings.push({ verdict: "poor", reason: `frame rate ${tick.fps.toFixed(1)} fps` });
  else if (tick.fps > 0 && tick.fps < 24)
    findings.push({ verdict: "degraded", reason: `frame rate ${tick.fps.toFixed(1)} fps` });
  if (tick.keyframeIntervalSeconds !== null && tick.keyframeIntervalSeconds > 10)
    findings.push({
      verdict: "poor",
      reason: `keyframes ${tick.keyframeIntervalSeconds.toFixed(1)} s apart`,
    });
  else if (tick.keyframeIntervalSeconds !== null && tick.keyframeIntervalSeconds > 4)
    findings.push({
      verdict: "degraded",
      reason: `keyframes ${tick.keyframeIntervalSeconds.toFixed(1)} s apart`,
    });
  if (previous !== undefined && previous.sessionId === tick.sessionId) {
    const dropped = tick.droppedFrames - previous.droppedFrames;
    const frames = Math.max(1, tick.fps * Math.max(1, tick.uptimeSeconds - previous.uptimeSeconds));
    if (dropped / frames > 0.05)
      findings.push({ verdict: "poor", reason: `${dropped} frames dropped recently` });
    else if (dropped > 0)
      findings.push({ verdict: "degraded", reason: `${dropped} frames dropped recently` });
  }
  return (
    findings.find((f) => f.verdict === "poor") ??
    findings.find((f) => f.verdict === "degraded") ?? {
      verdict: "excellent",
      reason: "steady bitrate and frame rate",
    }
  );
}
