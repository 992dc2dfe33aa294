// Split & stitch with the system ffmpeg: the frame probe, frame-exact chunk timing, the audio encoded
// once for the whole source, the verified stitch and the seam measurement, behind SplitEncoding.
import type { AudioTrackInfo, SourceFrames } from "../sdk/encoderPlugin.ts";
import type { SplitEncoding, StitchTarget } from "../sdk/splitEncoding.ts";
import { buildAudioArgs } from "./buildAudioArgs.ts";
import { type FfmpegConfig, runFfmpegAttempt } from "./encodeWithFfmpeg.ts";
import { wholeEncodeFrameCount } from "./expectedStitch.ts";
import { measureChunkEdgeSsim, measureSeamSsim } from "./measureSeamSsim.ts";
import { planAudio } from "./planAudio.ts";
import { planChunk } from "./planChunk.ts";
import { outputShape } from "./planEncode.ts";
import { probeAudioTracks } from "./probeAudioTracks.ts";
import { probeKeyframes } from "./probeKeyframes.ts";
import { rationalValue } from "./rationalValue.ts";
import { stitchChunks } from "./stitchChunks.ts";
import type { Verification } from "./verifyOutput.ts";

export function createFfmpegSplitEncoding(config: FfmpegConfig): SplitEncoding {
  const tools = { ffmpegPath: config.ffmpegPath, ffprobePath: config.ffprobePath };
  return {
    probeFrames: (input, videoStreamIndex) => probeKeyframes(input, videoStreamIndex, tools),

    planSplit(profile, source, frames, segments) {
      const { width, height, frameRate } = outputShape(profile, source);
      return {
        target: { ...stitchTarget(frames, frameRate), width, height },
        chunks: segments.map(({ startSec, endSec }) => planChunk({ frames, startSec, endSec }, frameRate)),
      };
    },

    async encodeAudio(profile, source, options) {
      const tracks = await probeAudioTracks(source.input, tools);
      if (!Array.isArray(tracks)) return tracks as Exclude<typeof tracks, readonly AudioTrackInfo[]>;
      const plan = planAudio(profile, source.input, tracks);
      if (plan === null) return { _tag: "NoAudio" };
      return runFfmpegAttempt(
        {
          inputUrl: source.input,
          container: plan.container.format,
          args: (outputPath) => buildAudioArgs(plan, outputPath),
          durationSec: source.durationSec,
          verify: (outputPath) => verifyAudio(outputPath, tracks, source.durationSec, tools.ffprobePath),
        },
        options,
        config,
      );
    },

    async stitch(request, signal) {
      const rate = rationalValue(request.target.frameRate);
      const sourceTracks = request.audio === null ? [] : await probeAudioTracks(request.source, tools);
      const audio = Array.isArray(sourceTracks) ? sourceTracks : [];
      return stitchChunks(
        {
          chunks: request.chunks,
          audio: request.audio,
          output: request.output,
          expected: {
            frameRate: request.target.frameRate,
            frameCount: request.target.frameCount,
            durationSec: request.target.durationSec,
            seamsSec: request.seamFrames.map((frame) => frame / rate),
            audio: audio.map((track) => ({ durationSec: track.durationSec })),
            audioFrameSec: request.audioSampleRate === null ? 0 : 1024 / request.audioSampleRate,
          },
        },
        { ...tools, ...(signal === undefined ? {} : { signal }) },
      );
    },

    measureSeams: (request) =>
      measureSeamSsim(
        {
          output: request.output,
          source: request.source,
          frameRate: request.target.frameRate,
          width: request.target.width,
          height: request.target.height,
          frameCount: request.target.frameCount,
          seamsSec: request.seamFrames.map((frame) => frame / rationalValue(request.target.frameRate)),
          sourceVideoStartSec: request.target.videoStartSec,
        },
        {
          ffmpegPath: config.ffmpegPath,
          ...(request.signal === undefined ? {} : { signal: request.signal }),
        },
      ),

    measureChunkEdges: (request) =>
      measureChunkEdgeSsim(
        {
          chunk: request.chunk,
          source: request.source,
          frameRate: request.target.frameRate,
          width: request.target.width,
          height: request.target.height,
          totalFrames: request.target.frameCount,
          firstFrame: request.firstFrame,
          frameCount: request.frameCount,
          sourceVideoStartSec: request.target.videoStartSec,
        },
        {
          ffmpegPath: config.ffmpegPath,
          ...(request.signal === undefined ? {} : { signal: request.signal }),
        },
      ),
  };
}

/**
 * What the stitched output must hold. Every chunk lays its frames on the whole encode's constant grid,
 * so a VFR source's output is CFR: frames [0, ceil(end · rate)), which for a CFR source kept at its
 * rate is its own frame count (the rule planChunk hands frames out by).
 */
function stitchTarget(frames: SourceFrames, frameRate: string): Omit<StitchTarget, "width" | "height"> {
  return {
    frameRate,
    frameCount: wholeEncodeFrameCount(frames, frameRate),
    durationSec: frames.endSec,
    videoStartSec: frames.frameTimesSec[0] ?? 0,
  };
}

/** The audio encode holds every source track, each as long as the source within 1 % (at least 0.2 s). */
async function verifyAudio(
  outputPath: string,
  sourceTracks: readonly AudioTrackInfo[],
  sourceDurationSec: number,
  ffprobePath: string,
): Promise<Verification> {
  const probed = await probeAudioTracks(outputPath, { ffprobePath });
  if (!Array.isArray(probed)) return { ok: false, reason: "the audio encode cannot be read back" };
  const tracks = probed as readonly AudioTrackInfo[];
  if (tracks.length !== sourceTracks.length) {
    return { ok: false, reason: `${tracks.length} audio tracks, expected ${sourceTracks.length}` };
  }
  const longest = Math.max(...tracks.map((track) => track.durationSec ?? 0));
  const expected = Math.max(...sourceTracks.map((track) => track.durationSec ?? sourceDurationSec));
  const tolerance = Math.max(0.2, expected * 0.01);
  if (Math.abs(longest - expected) > tolerance) {
    return { ok: false, reason: `audio lasts ${longest.toFixed(3)} s, expected ${expected.toFixed(3)} s` };
  }
  return { ok: true, durationSec: longest };
}
