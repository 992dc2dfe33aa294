// Split & stitch with the system ffmpeg: the frame probe, frame-exact chunk timing, the audio encoded
// once for the whole source, the verified stitch and the seam measurement, behind SplitEncoding.
import type { AudioTrackInfo, SourceFrames } from "../sdk/encoderPlugin.ts";
import type { SplitEncoding, StitchTarget } from "../sdk/splitEncoding.ts";
import { buildAudioArgs } from "./buildAudioArgs.ts";
import { type FfmpegConfig, runFfmpegAttempt } from "./encodeWithFfmpeg.ts";
import { wholeEncodeFrameCount } from "./expectedStitch.ts";
import { gopFrames, snapToKeyframeGrid } from "./keyframeGrid.ts";
import { measureChunkEdgeSsim, measureSeamSsim, sampleKeyframes } from "./measureSeamSsim.ts";
import { softSubtitlesOf } from "./outputContainer.ts";
import { planAudio } from "./planAudio.ts";
import { planChunk } from "./planChunk.ts";
import { outputShape } from "./planEncode.ts";
import { probeAudioTracks } from "./probeAudioTracks.ts";
import { probeKeyframes } from "./probeKeyframes.ts";
import { rationalValue } from "./rationalValue.ts";
import { stitchChunks } from "./stitchChunks.ts";
import { verifyAudioEncode } from "./verifyAudioEncode.ts";

export function createFfmpegSplitEncoding(
  config: FfmpegConfig & { readonly threads?: number },
): SplitEncoding {
  const egress = config.egress === undefined ? {} : { egress: config.egress };
  // the seams are measured on the worker's threads, as its encodes are
  const measuring = {
    ffmpegPath: config.ffmpegPath,
    ...egress,
    ...(config.threads === undefined ? {} : { threads: config.threads }),
  };
  const tools = { ffmpegPath: config.ffmpegPath, ffprobePath: config.ffprobePath, ...egress };
  return {
    probeFrames: (input, videoStreamIndex) => probeKeyframes(input, videoStreamIndex, tools),

    planSplit(profile, source, frames, segments) {
      const { width, height, frameRate } = outputShape(profile, source);
      const gop = gopFrames(frameRate, profile.video.keyframeIntervalSec);
      const cuts = profile.video.alignedKeyframes
        ? snapToKeyframeGrid(segments, frames, frameRate, gop)
        : segments;
      return {
        target: { ...stitchTarget(frames, frameRate), width, height },
        chunks: cuts.map(({ startSec, endSec }) => planChunk({ frames, startSec, endSec }, frameRate)),
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
          verify: (outputPath) =>
            verifyAudioEncode(outputPath, tracks, source.durationSec, tools.ffprobePath),
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
          ...(request.container === undefined ? {} : { container: request.container }),
          ...(request.keepSubtitles === undefined || request.keepSubtitles.length === 0
            ? {}
            : {
                subtitles: {
                  ...softSubtitlesOf(request.container ?? "mp4", request.keepSubtitles),
                  source: request.source,
                },
              }),
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
          ...sampleKeyframesOf(request.target),
        },
        { ...measuring, ...(request.signal === undefined ? {} : { signal: request.signal }) },
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
          ...sampleKeyframesOf(request.target),
        },
        { ...measuring, ...(request.signal === undefined ? {} : { signal: request.signal }) },
      ),
  };
}

/**
 * What the stitched output must hold. Every chunk lays its frames on the whole encode's constant grid,
 * so a VFR source's output is CFR: frames [0, ceil(end · rate)), which for a CFR source kept at its
 * rate is its own frame count (the rule planChunk hands frames out by).
 */
function stitchTarget(frames: SourceFrames, frameRate: string): Omit<StitchTarget, "width" | "height"> {
  const frameCount = wholeEncodeFrameCount(frames, frameRate);
  const videoStartSec = frames.frameTimesSec[0] ?? 0;
  return {
    frameRate,
    frameCount,
    durationSec: frames.endSec,
    videoStartSec,
    sampleKeyframesSec: sampleKeyframes(frames.keyframeTimesSec, videoStartSec, frameRate, frameCount),
  };
}

const sampleKeyframesOf = (target: StitchTarget) =>
  target.sampleKeyframesSec === undefined ? {} : { sampleKeyframesSec: target.sampleKeyframesSec };
