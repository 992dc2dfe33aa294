// What an encoder plugin offers for split & stitch: reading where a source can be cut, planning
// frame-exact chunks for the cuts the domain chose, encoding the audio once for the whole source,
// stitching the chunks with proof, and measuring the seams (each chunk its own sides of them, right after
// its encode, so the stitch only adds up). Plain data in and out, so plans and figures travel in events.
import type {
  Container,
  EncodeOptions,
  EncodeOutcome,
  EncodeProfile,
  KeptSubtitle,
  ProbeFailure,
  SeamReport,
  SourceFrames,
  SourceInfo,
  Stitched,
  StitchRejected,
} from "./encoderPlugin.ts";

/**
 * How one chunk is encoded frame-exactly: output frames [firstFrame, firstFrame + frameCount) of the
 * whole encode, decoded from `seekSec` (just before its first frame), with the whole encode's frame grid
 * laid from `gridStartSec`. Planned once by the planner, so workers need not read the source's frames.
 */
export interface ChunkTiming {
  readonly seekSec: number;
  readonly firstFrame: number;
  /** null for the last chunk, which runs to the source's end as the whole encode does. */
  readonly frameCount: number | null;
  /** Where the output grid's frame `firstFrame` lies, seconds on the source's own clock. */
  readonly gridStartSec: number;
  readonly durationSec: number;
}

/** What a stitched output must hold; known at planning time, from the source's frames and the profile. */
export interface StitchTarget {
  /** The output's constant rate, as a rational. */
  readonly frameRate: string;
  readonly frameCount: number;
  /** Where the source's last frame ends; the output's duration must be within one frame of it. */
  readonly durationSec: number;
  /** The source's first video frame, seconds from its container's start: the output's frame 0. */
  readonly videoStartSec: number;
  readonly width: number;
  readonly height: number;
  /**
   * For each short sample of the seam figures' mean, the source keyframe it is read from (seconds from
   * the container's start), or null where none lies near its even place. Absent in plans made before.
   */
  readonly sampleKeyframesSec?: (number | null)[];
}

export interface SplitPlan {
  readonly target: StitchTarget;
  /** One per segment, in order. */
  readonly chunks: readonly ChunkTiming[];
}

export interface StitchRequest {
  /** Local paths of the encoded chunks, in order. */
  readonly chunks: readonly string[];
  /** Local path of the audio encode; null when the source has no audio. */
  readonly audio: string | null;
  /** Local path the verified output is renamed to. */
  readonly output: string;
  /** The source as the encoder reads it (for the audio tracks' expected durations). */
  readonly source: string;
  readonly target: StitchTarget;
  /** Where each chunk after the first starts in the output, in frames. */
  readonly seamFrames: readonly number[];
  /** The audio encode's sample rate (its frames set how far its duration may round); null without audio. */
  readonly audioSampleRate: number | null;
  /** The profile's container, which the chunks and the audio encode were written in; MP4 when absent. */
  readonly container?: Container;
  /** Subtitle tracks of `source` (absolute stream indexes) muxed in beside the video and audio as soft tracks. */
  readonly keepSubtitles?: readonly KeptSubtitle[];
}

export interface SeamRequest {
  /** Local path of the stitched output and the source as the encoder reads it. */
  readonly output: string;
  readonly source: string;
  readonly target: StitchTarget;
  readonly seamFrames: readonly number[];
  readonly signal?: AbortSignal;
}

export interface ChunkEdgeRequest {
  /** Local path of the chunk's verified encode and the source as the encoder reads it. */
  readonly chunk: string;
  readonly source: string;
  /** The whole encode's target: its grid, frame size and frame count. */
  readonly target: StitchTarget;
  /** The chunk's frames of the whole encode: [firstFrame, firstFrame + frameCount). */
  readonly firstFrame: number;
  readonly frameCount: number;
  readonly signal?: AbortSignal;
}

/** The mean SSIM against the source of some frames, and how many: spans add up, weighted by frames. */
export interface SsimSpan {
  readonly ssim: number;
  readonly frames: number;
}

/**
 * One chunk's share of the seam figures: its first and last frames (the far and the near side of the
 * seams around it; null at the whole encode's start and end) and its part of the mean's samples (null
 * when none falls in it).
 */
export interface ChunkEdgeSsim {
  readonly _tag: "ChunkEdgeSsim";
  readonly first: SsimSpan | null;
  readonly last: SsimSpan | null;
  readonly samples: SsimSpan | null;
}

export interface SeamSsimFailed {
  readonly _tag: "SeamSsimFailed";
  readonly message: string;
}

/** The source has no audio track: the stitched output has none either. */
export interface NoAudio {
  readonly _tag: "NoAudio";
}

export interface SplitEncoding {
  /** Every frame's time and the keyframes of the source's video stream, reading packets only. */
  probeFrames(input: string, videoStreamIndex: number): Promise<SourceFrames | ProbeFailure>;
  /** Frame-exact chunks for the given cuts (seconds from the source's start, covering it in order). */
  planSplit(
    profile: EncodeProfile,
    source: SourceInfo,
    frames: SourceFrames,
    segments: readonly { readonly startSec: number; readonly endSec: number }[],
  ): SplitPlan;
  /** Every audio track of the whole source, once, as the profile says; its tracks keep their languages. */
  encodeAudio(
    profile: EncodeProfile,
    source: SourceInfo,
    options: EncodeOptions,
  ): Promise<EncodeOutcome | NoAudio | ProbeFailure>;
  /** Concatenates with stream copy, muxes the audio and verifies before the output is renamed into place. */
  stitch(request: StitchRequest, signal?: AbortSignal): Promise<Stitched | StitchRejected>;
  /** The seams of a stitched output and the mean, measured on the output (decodes around every seam). */
  measureSeams(request: SeamRequest): Promise<SeamReport | SeamSsimFailed>;
  /**
   * One chunk's share of the same figures, measured on the chunk right after its encode: chunks measure
   * side by side on their workers and the stitch only combines them. Absent: the stitch measures.
   */
  measureChunkEdges?(request: ChunkEdgeRequest): Promise<ChunkEdgeSsim | SeamSsimFailed>;
}
