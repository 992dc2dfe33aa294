// Gathers the facts verifyStitch judges from a stitched file: every video frame's time (one pass over
// the packets, as for a source) and, per audio track, where it starts, how long it lasts and whether
// its packets run without a hole. Reads packet headers only; nothing is decoded.
import type { ProbeFailure } from "../sdk/encoderPlugin.ts";
import { probeKeyframes } from "./probeKeyframes.ts";
import { runCommand } from "./runCommand.ts";
import type { AudioFacts, StitchFacts } from "./verifyStitch.ts";

/** The stitch muxes the video first, so it is stream 0. */
const VIDEO_STREAM = 0;

export async function probeStitched(
  path: string,
  options: { readonly ffprobePath: string; readonly timeoutMs?: number },
): Promise<StitchFacts | ProbeFailure> {
  // the two reads side by side: the stitch is on the job's critical path
  const [video, result] = await Promise.all([
    probeKeyframes(path, VIDEO_STREAM, options),
    runCommand(
      options.ffprobePath,
      [
        "-hide_banner",
        "-v",
        "error",
        "-select_streams",
        "a",
        "-show_entries",
        "stream=index,start_time,duration:stream_tags=language:packet=stream_index,pts_time,duration_time",
        "-of",
        "compact",
        `file:${path}`,
      ],
      { timeoutMs: options.timeoutMs ?? 60_000 },
    ),
  ]);
  if (video._tag === "ProbeFailure") return video;
  if (result.exitCode !== 0) {
    const last = result.stderr.trim().split("\n").at(-1) || result.spawnError || "no message";
    return {
      _tag: "ProbeFailure",
      reason: "probe_error",
      message: `ffprobe failed on the stitched output: ${last}`,
    };
  }
  return { _tag: "StitchFacts", video, audio: parseAudioFacts(result.stdout) };
}

/** Reads `-of compact` stream and packet lines of the audio streams into one AudioFacts per stream. */
export function parseAudioFacts(stdout: string): AudioFacts[] {
  const streams: { index: number; start: number; duration: number; language: string | null }[] = [];
  const packets = new Map<number, { pts: number; duration: number }[]>();
  for (const line of stdout.split("\n")) {
    const [section, ...pairs] = line.split("|");
    const fields = new Map(
      pairs.flatMap((pair) => {
        const at = pair.indexOf("=");
        return at > 0 ? [[pair.slice(0, at), pair.slice(at + 1)] as const] : [];
      }),
    );
    if (section === "stream") {
      const language = fields.get("tag:language") ?? null;
      streams.push({
        index: Number(fields.get("index")),
        start: Number(fields.get("start_time")),
        duration: Number(fields.get("duration")),
        language: language === "und" ? null : language,
      });
    } else if (section === "packet") {
      const index = Number(fields.get("stream_index"));
      const list = packets.get(index) ?? [];
      list.push({ pts: Number(fields.get("pts_time")), duration: Number(fields.get("duration_time")) });
      packets.set(index, list);
    }
  }
  return streams.map((stream) => {
    const list = (packets.get(stream.index) ?? []).filter((p) => Number.isFinite(p.pts));
    list.sort((a, b) => a.pts - b.pts);
    let largestStepSec = 0;
    for (let i = 1; i < list.length; i++) {
      largestStepSec = Math.max(largestStepSec, (list[i]?.pts ?? 0) - (list[i - 1]?.pts ?? 0));
    }
    const durations = list.map((p) => p.duration).filter((d) => Number.isFinite(d) && d > 0);
    const startSec = Number.isFinite(stream.start) ? stream.start : 0;
    // Matroska and WebM give no stream duration: the last packet's end tells it.
    const last = list.at(-1);
    const fromPackets =
      last === undefined ? 0 : last.pts + (Number.isFinite(last.duration) ? last.duration : 0) - startSec;
    return {
      startSec,
      durationSec: Number.isFinite(stream.duration) ? stream.duration : fromPackets,
      language: stream.language,
      largestStepSec,
      // The most common packet duration: AAC's are all 1024 samples but the last.
      packetSec: mode(durations),
    };
  });
}

function mode(values: readonly number[]): number {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best = 0;
  let bestCount = 0;
  for (const [v, c] of counts) if (c > bestCount) [best, bestCount] = [v, c];
  return best;
}
