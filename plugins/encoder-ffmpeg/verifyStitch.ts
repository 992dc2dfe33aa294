// The proof a stitched output must pass before its job may complete: the frames of the whole encode,
// each once, in order, on the grid, with no gap at any seam, the source's duration, and audio that
// starts with the video, lasts as long as the source's and runs without a hole. Pure: facts in
// (probeStitched gathers them), the first failed check out, as a tagged value naming the seam.
import type { SourceFrames, StitchCheck, StitchRejected } from "../sdk/encoderPlugin.ts";
import type { StitchExpectation } from "./expectedStitch.ts";
import { rationalValue } from "./rationalValue.ts";

export interface AudioFacts {
  /** Stream start in seconds, edit lists applied (the same clock as the video's times plus start). */
  readonly startSec: number;
  readonly durationSec: number;
  readonly language: string | null;
  /** The largest step between consecutive packets' times, and the packets' usual duration. */
  readonly largestStepSec: number;
  readonly packetSec: number;
}

export interface StitchFacts {
  readonly _tag: "StitchFacts";
  readonly video: SourceFrames;
  readonly audio: readonly AudioFacts[];
}

export interface StitchVerified {
  readonly _tag: "StitchVerified";
  readonly frameCount: number;
  readonly durationSec: number;
}

export function verifyStitch(
  facts: StitchFacts,
  expected: StitchExpectation,
  chunks: readonly string[],
): StitchVerified | StitchRejected {
  const frame = 1 / rationalValue(expected.frameRate);
  const times = facts.video.frameTimesSec;
  const start = times[0] ?? 0;
  const seamNear = (sec: number): number | null => {
    const at = expected.seamsSec.findIndex((seam) => Math.abs(seam - (sec - start)) <= 1.5 * frame);
    return at < 0 ? null : at + 1;
  };
  const reject = (check: StitchCheck, message: string, hint: string, seamIndex: number | null = null) =>
    rejected(
      check,
      seamIndex === null ? message : `${message} (at seam ${seamIndex})`,
      hint,
      seamIndex,
      chunks,
    );
  const fmt = (sec: number) => `${sec.toFixed(3)} s`;

  for (let i = 1; i < times.length; i++) {
    const [before, at] = [times[i - 1] ?? 0, times[i] ?? 0];
    if (at <= before) {
      return reject(
        "timestamps_not_increasing",
        `two video frames share the time ${fmt(at - start)}`,
        "A chunk overlaps the one before it; re-encode the chunks around that time.",
        seamNear(at),
      );
    }
    if (at - before > 1.5 * frame) {
      return reject(
        "gap",
        `the video jumps from ${fmt(before - start)} to ${fmt(at - start)}, more than 1.5 frames`,
        "A chunk starts later than the one before it ends; check that chunk's timestamps.",
        // Where the next frame belonged: a shifted chunk starts anywhere after its seam.
        seamNear(before + frame),
      );
    }
  }
  if (times.length !== expected.frameCount) {
    return reject(
      "frame_count",
      `the stitched video has ${times.length} frames, the source makes ${expected.frameCount}`,
      "A chunk is missing, doubled or cut short; compare the chunks' frame counts with their plans.",
    );
  }
  const offGrid = times.findIndex((t, k) => Math.abs(t - start - k * frame) > 0.5 * frame);
  if (offGrid >= 0) {
    const t = times[offGrid] ?? 0;
    return reject(
      "timestamps_off_grid",
      `video frame ${offGrid} is at ${fmt(t - start)}, not within half a frame of ${fmt(offGrid * frame)}`,
      "A chunk's frames are shifted against the encode's grid; re-encode that chunk.",
      seamNear(t),
    );
  }
  // Every chunk opens with a keyframe, so one must sit on each seam: a chunk a frame short followed
  // by one a frame long keeps the count and the grid, but not this.
  const keyframes = facts.video.keyframeTimesSec;
  const misplaced = expected.seamsSec.findIndex(
    (seam) => !keyframes.some((k) => Math.abs(k - start - seam) <= 0.5 * frame),
  );
  if (misplaced >= 0) {
    return reject(
      "seam_keyframe",
      `no chunk starts at ${fmt(expected.seamsSec[misplaced] ?? 0)}: a chunk before it ends early or late`,
      "Compare the chunks' frame counts with their plans and re-encode the ones that differ.",
      misplaced + 1,
    );
  }
  const durationSec = facts.video.endSec - start;
  if (Math.abs(durationSec - expected.durationSec) > frame + 1e-6) {
    return reject(
      "duration",
      `the stitched video lasts ${fmt(durationSec)}, the source ${fmt(expected.durationSec)}`,
      "The last chunk ends early or late; re-encode it.",
    );
  }
  if (facts.audio.length !== expected.audio.length) {
    return reject(
      "audio_tracks",
      `the output has ${facts.audio.length} audio tracks, the source ${expected.audio.length}`,
      "Mux the audio encode of the whole source, with all its tracks.",
    );
  }
  const videoStart = facts.video.startTimeSec + start;
  for (const [i, track] of facts.audio.entries()) {
    const name = `audio track ${i}${track.language === null ? "" : ` (${track.language})`}`;
    if (Math.abs(track.startSec - videoStart) >= frame) {
      return reject(
        "av_offset",
        `${name} starts ${fmt(track.startSec - videoStart)} from the video, a frame or more`,
        "Encode the audio from the source's start and mux it without an offset.",
      );
    }
    const want = expected.audio[i]?.durationSec ?? null;
    if (want !== null && Math.abs(track.durationSec - want) > frame + expected.audioFrameSec) {
      return reject(
        "audio_duration",
        `${name} lasts ${fmt(track.durationSec)}, the source's ${fmt(want)}`,
        "The audio encode was cut short or padded; encode it again from the whole source.",
      );
    }
    if (track.largestStepSec > 1.5 * track.packetSec) {
      return reject(
        "audio_gap",
        `${name} has a hole of ${fmt(track.largestStepSec - track.packetSec)}`,
        "Audio must be one continuous encode of the whole source, never per chunk.",
      );
    }
  }
  return { _tag: "StitchVerified", frameCount: times.length, durationSec };
}

function rejected(
  check: StitchCheck,
  message: string,
  hint: string,
  seamIndex: number | null,
  chunks: readonly string[],
): StitchRejected {
  return { _tag: "StitchRejected", code: "WE-JOB-012", check, message, hint, seamIndex, chunks };
}
