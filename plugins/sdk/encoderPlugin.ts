// The encoder pillar: what a worker needs to run one encode task for real. The spec's TaskSpec
// (codec + bitrate) is too thin for real recipes, so a task carries a whole EncodePlan, built from a
// profile and a probe of the source; expected failures are tagged values, never thrown.

import type { MediaOutputs } from "./mediaOutputs.ts";
import type { ChunkTiming, SplitEncoding } from "./splitEncoding.ts";

export type VideoCodec = "h264" | "hevc" | "vp9" | "av1";
export type AudioCodec = "aac" | "opus";
/** Output containers: MP4 (also M4A for audio only), Matroska and WebM. */
export type Container = "mp4" | "mkv" | "webm";

/** Counter-clockwise degrees the display matrix turns the stored frame (as ffprobe reports it); 90 and 270 swap width and height. */
export type Rotation = 0 | 90 | 180 | 270;

export interface VideoStreamInfo {
  /** Absolute stream index in the source (cover art is never chosen). */
  readonly index: number;
  readonly codec: string;
  /** Stored frame size, before rotation and sample aspect ratio. */
  readonly width: number;
  readonly height: number;
  /** Sample (pixel) aspect ratio as [num, den]; [1, 1] for square pixels. */
  readonly sampleAspectRatio: readonly [number, number];
  readonly rotation: Rotation;
  /** Nominal rate (r_frame_rate) as a rational, e.g. "30000/1001". */
  readonly frameRate: string;
  /** Average rate over the stream (avg_frame_rate). */
  readonly avgFrameRate: string;
  /** Best guess at a variable frame rate: nominal and average rates differ. */
  readonly variableFrameRate: boolean;
  readonly pixFmt: string | null;
}

export interface AudioStreamInfo {
  readonly index: number;
  readonly codec: string;
  readonly channels: number;
  readonly sampleRate: number;
}

export interface SourceInfo {
  readonly _tag: "SourceInfo";
  /** Local path or http(s) URL, as given to probe. */
  readonly input: string;
  readonly formatName: string;
  readonly durationSec: number;
  readonly sizeBytes: number | null;
  readonly video: VideoStreamInfo;
  /** The first audio track; null when the source has none. */
  readonly audio: AudioStreamInfo | null;
  readonly audioTrackCount: number;
  /** Absolute indexes of the subtitle streams, in order (what a burn-in's stream is counted among). */
  readonly subtitleStreamIndexes?: readonly number[];
}

/**
 * Why a source cannot be encoded. `not_found`, `not_media`, `truncated` and `no_video` are the
 * input's fault (WE-JOB-007, no retry); `refused` (the platform will not fetch from where the source
 * leads) and `unreachable` (a remote source answered an HTTP error or a redirect, refused the connection,
 * did not resolve or did not answer) are the source's side too (WE-JOB-002); `probe_error` (ffprobe
 * missing, crashed, timed out on a local file) is ours.
 */
export type ProbeFailureReason =
  | "not_found"
  | "not_media"
  | "truncated"
  | "no_video"
  | "refused"
  | "unreachable"
  | "probe_error";

export interface ProbeFailure {
  readonly _tag: "ProbeFailure";
  readonly reason: ProbeFailureReason;
  readonly message: string;
}

/**
 * How a source's video may be cut, from one pass over its packets (no decoding): every frame's time,
 * which frames a decoder can start from, and what makes cutting hard (VFR, open GOP).
 */
export interface SourceFrames {
  readonly _tag: "SourceFrames";
  readonly videoStreamIndex: number;
  /** The container's start time; ffmpeg's input seek and every time below count from it. */
  readonly startTimeSec: number;
  /** Presentation time of every frame, ascending, in seconds from `startTimeSec`. */
  readonly frameTimesSec: readonly number[];
  /** Times of the frames a decoder can start from (keyframes), ascending; a subset of `frameTimesSec`. */
  readonly keyframeTimesSec: readonly number[];
  /** Where the last frame ends (its time plus its duration). */
  readonly endSec: number;
  /** Frames counted in the stream; `declaredFrameCount` is the container's own figure, null when it has none. */
  readonly frameCount: number;
  readonly declaredFrameCount: number | null;
  readonly frameRate: string;
  readonly avgFrameRate: string;
  /** Frame intervals differ by more than the timestamps' rounding. */
  readonly variableFrameRate: boolean;
  /** Some keyframe has frames after it in decode order that show before it (leading pictures). */
  readonly openGop: boolean;
}

/** Segment lengths for a split encode, in seconds of source. */
export interface SegmentBounds {
  readonly targetSec: number;
  readonly minSec: number;
  readonly maxSec: number;
}

export interface EncodeProfile {
  readonly name: string;
  readonly video: {
    readonly codec: VideoCodec;
    /** The frame to fit in; turned to portrait for portrait sources ("1080p" means the short side). */
    readonly maxWidth: number;
    readonly maxHeight: number;
    readonly bitrateKbps: number;
    readonly maxrateKbps: number;
    readonly bufsizeKbps: number;
    /** Software encoder preset (x264/x265 names; SVT-AV1 takes a number as a string). */
    readonly preset: string;
    readonly profile?: string;
    readonly level?: string;
    readonly maxFps: number;
    /** Seconds between forced keyframes, so later packaging can cut anywhere on that grid. */
    readonly keyframeIntervalSec: number;
    /** Scale small sources up to the frame. Off by default: never upscale. */
    readonly upscale?: boolean;
    /**
     * Keyframes exactly every `keyframeIntervalSec` on the output's time grid and nowhere else (no
     * scene-cut keyframes), so every rendition of a ladder, and every chunk of a split, share them.
     */
    readonly alignedKeyframes?: boolean;
  };
  /** null: the output has no audio, even when the source has. */
  readonly audio: {
    readonly codec: AudioCodec;
    readonly bitrateKbps: number;
    readonly sampleRate: number;
    readonly channels: number;
  } | null;
  readonly container: Container;
  /** A source subtitle track burnt into the picture; `text` tracks are rendered, bitmap ones overlaid. */
  readonly burnInSubtitle?: { readonly streamIndex: number; readonly text: boolean };
  /**
   * Source subtitle tracks (absolute stream indexes) kept as soft tracks in the output container: as
   * mov_text in MP4, as they are in Matroska, as WebVTT in WebM. Never in a chunk: the stitch adds them.
   */
  readonly keepSubtitles?: readonly KeptSubtitle[];
  /**
   * "auto" uses a proven hardware encoder for the codec when the worker has one; a job's `prefer_gpu`
   * overrides it either way.
   */
  readonly hardware: "off" | "auto";
  /** Segment lengths when a job is split across workers; the platform's defaults when absent. */
  readonly segmentBounds?: SegmentBounds;
  /** Attempts of each task before the job fails (the spec's default is 3); the platform's when absent. */
  readonly maxAttempts?: number;
}

/** A part of the source to encode, for split encoding; seconds from the source's start. */
export interface EncodeRange {
  readonly startSec: number;
  readonly endSec: number;
}

/**
 * One chunk of a split encode, cut frame-exactly: the output frames [firstFrame, firstFrame + frameCount)
 * of what the whole encode would make, so the chunks concatenated hold every frame exactly once.
 */
export interface EncodeChunk {
  /** Input seek in seconds from the source's start: after the frame before the chunk's first frame. */
  readonly seekSec: number;
  readonly firstFrame: number;
  /** null for the last chunk, which runs to the source's end as the whole encode does. */
  readonly frameCount: number | null;
}

/** A source subtitle track to keep as a soft track: its absolute stream index and ffprobe's codec name. */
export interface KeptSubtitle {
  readonly streamIndex: number;
  readonly codec: string;
}

/** Source subtitle streams kept in an output, each with the codec it is written in (`copy`: as it is). */
export interface SoftSubtitles {
  readonly tracks: readonly { readonly streamIndex: number; readonly codec: string }[];
}

/** ffmpeg's name of the encoder for an audio codec. */
export type AudioEncoderName = "aac" | "libopus";

export interface ExpectedOutput {
  readonly video: { readonly codec: VideoCodec; readonly width: number; readonly height: number };
  readonly audio: {
    readonly codec: AudioCodec;
    readonly channels: number;
    readonly sampleRate: number;
  } | null;
  readonly durationSec: number;
}

/** Everything needed to run one encode; plain data, so it can travel in a task message. */
export interface EncodePlan {
  readonly profileName: string;
  readonly input: {
    readonly url: string;
    /** Input options (seek) in seconds; null encodes the whole source. */
    readonly range: EncodeRange | null;
    /** Set for a chunk of a split encode (then `range` is the segment): video only, frame-exact. */
    readonly chunk?: EncodeChunk;
    readonly videoStreamIndex: number;
    readonly audioStreamIndex: number | null;
  };
  readonly video: {
    /** Encoder name (libx264, h264_nvenc, …) and whether it is a hardware one. */
    readonly encoder: string;
    readonly hardware: boolean;
    /** Options given before the input (hardware device set-up). */
    readonly deviceOptions: readonly string[];
    /** Filter chain (ffmpeg syntax), applied after the source is turned upright. */
    readonly filters: readonly string[];
    /**
     * A bitmap subtitle stream (PGS, DVD) of the input laid over the picture after the first `after`
     * filters of the chain (before scaling, at the size the subtitles were drawn for).
     */
    readonly overlay?: { readonly streamIndex: number; readonly after: number };
    /**
     * A remote source's text subtitle track to burn in: copied first into the attempt's folder as `file`
     * (libass reads local files only), which the filters name relative to that folder.
     */
    readonly subtitleTrack?: { readonly streamIndex: number; readonly file: string };
    /** Encoder options as flag/value pairs, in order. */
    readonly options: readonly (readonly [string, string])[];
    /** Constant output rate as a rational. */
    readonly frameRate: string;
  };
  readonly audio:
    | { readonly mode: "none" }
    | {
        readonly mode: "encode";
        /** ffmpeg's encoder name: "aac" or "libopus". */
        readonly encoder: AudioEncoderName;
        readonly bitrateKbps: number;
        readonly sampleRate: number;
        readonly channels: number;
      };
  readonly container: { readonly format: Container; readonly faststart: boolean };
  /** Source subtitle tracks muxed into the output as soft tracks, in the container's subtitle codec. */
  readonly subtitles?: SoftSubtitles;
  readonly expected: ExpectedOutput;
  /** Threads for the whole run (decoder, filters, encoder); ffmpeg's own choice when absent. */
  readonly threads?: number;
  /**
   * The software video settings to encode with when the hardware encoder of `video` fails at run time
   * (a GPU that passed its test can still fail later); absent when `video` is software.
   */
  readonly fallbackVideo?: EncodePlan["video"];
}

export interface EncodeProgress {
  /** 0–100 of the expected duration. */
  readonly pct: number;
  readonly outTimeSec: number;
  readonly fps: number | null;
  /** Times real time, e.g. 2.5 for "2.5x"; null until known. */
  readonly speed: number | null;
  readonly etaSeconds: number | null;
}

export interface EncodeOptions {
  readonly onProgress?: (progress: EncodeProgress) => void;
  readonly signal?: AbortSignal;
  /** Kill the encoder when its output time has not advanced for this long. Default 60 000. */
  readonly stallTimeoutMs?: number;
  /** Where the attempt writes `<attemptId>.partial.mp4` and, once verified, `<attemptId>.mp4`. */
  readonly workDir: string;
  /** Unique per task attempt; letters, digits, `.`, `_` and `-`. */
  readonly attemptId: string;
}

export interface Encoded {
  readonly _tag: "Encoded";
  readonly path: string;
  readonly sizeBytes: number;
  /** "sha256:<hex>" */
  readonly checksum: string;
  readonly durationSec: number;
  /** The encoder that made the output (libx264, h264_nvenc, …). */
  readonly encoder?: string;
  /** Set when the planned hardware encoder failed and the output was encoded again in software. */
  readonly fallback?: {
    readonly from: string;
    readonly exitClass: EncodeExitClass;
    readonly message: string;
  };
}

/**
 * `input`: the source is corrupt or unsupported (no retry). `transient`: retry with backoff.
 * `oom`: killed by the system (retry on a worker with fewer parallel tasks). `stalled`: the
 * watchdog killed it. `cancelled`: the caller aborted.
 */
/**
 * Why an encode failed, as the retry policy reads it: a corrupt input is never retried, an out-of-memory
 * kill is retried on another worker, an abort or timeout (ffmpeg's exit 255) while attempts remain.
 */
export type EncodeExitClass = "input" | "transient" | "oom" | "timeout" | "stalled" | "cancelled";

export interface EncodeFailed {
  readonly _tag: "EncodeFailed";
  readonly exitClass: EncodeExitClass;
  readonly message: string;
  /** The last few KiB of the encoder's stderr. */
  readonly stderrTail: string;
}

export type EncodeOutcome = Encoded | EncodeFailed;

/** What an encode of several plans made: one verified output per plan, in the plans' order. */
export interface EncodedLadder {
  readonly _tag: "EncodedLadder";
  readonly outputs: readonly Encoded[];
}

export interface ProvenEncoder {
  readonly name: string;
  readonly codec: VideoCodec;
  readonly hardware: boolean;
}

/** What a worker advertises: only encoders and hardware devices that passed a real test. */
export interface EncoderCapabilities {
  readonly encoders: readonly ProvenEncoder[];
  readonly hwaccels: readonly string[];
  readonly audioCodecs: readonly string[];
  readonly containers: readonly string[];
}

/** What a plugin cleaned up after an earlier run of its own (killed with -9, say). */
export interface RecoveryReport {
  /** Process ids of encoders still running from the earlier run, now stopped. */
  readonly killed: readonly number[];
  /** Partial outputs removed. */
  readonly removedPartials: readonly string[];
}

/**
 * The spec's EncoderEngine service. `capabilities` is its GetCapabilities; its Transcode, a stream of
 * progress, is `transcode(engine, plan, options)` (transcode.ts) over `encode`; `probe` and `plan`
 * are ours, because a real recipe needs the source's streams (see EncodePlan).
 */
export interface EncoderEngine {
  probe(input: string): Promise<SourceInfo | ProbeFailure>;
  /**
   * `encoders` is the worker's choice for the task, in order (the encoder selection policy): the first
   * is used and the software ones after it are the fallback; without it the codec's software encoder.
   * `chunk`: one chunk of a split encode as the planner timed it (video only, frame-exact).
   */
  plan(
    profile: EncodeProfile,
    source: SourceInfo,
    range?: EncodeRange,
    encoders?: readonly ProvenEncoder[],
    chunk?: ChunkTiming,
  ): Promise<EncodePlan>;
  encode(plan: EncodePlan, options: EncodeOptions): Promise<EncodeOutcome>;
  /**
   * Several plans over the same source and cut (the tiers of a ladder), each to its own verified file:
   * one decode feeding every encoder where the plans allow it, else one encode after another. Absent:
   * the worker encodes them one by one.
   */
  encodeLadder?(plans: readonly EncodePlan[], options: EncodeOptions): Promise<EncodedLadder | EncodeFailed>;
  capabilities(): Promise<EncoderCapabilities>;
  /** Cleans up what an earlier run left behind; a worker calls it once, before taking work. */
  recover?(): Promise<RecoveryReport>;
  /** Split & stitch; a plugin without it encodes every job as one task. */
  readonly split?: SplitEncoding;
  /** Packaging, thumbnails and subtitle files; a plugin without it makes one progressive file per job. */
  readonly outputs?: MediaOutputs;
  /** Audio-only sources to audio outputs; a plugin without it fails them as `no_video`. */
  readonly audioOnly?: AudioOnlyEncoding;
}

/**
 * A source to encode to audio alone (a podcast, music): every audio track, and the duration of the
 * longest. What `probe` answers `no_video` for can be read this way.
 */
export interface AudioSourceInfo {
  readonly _tag: "AudioSourceInfo";
  readonly input: string;
  readonly durationSec: number;
  readonly tracks: readonly AudioTrackInfo[];
  /** The container as ffprobe names it, e.g. "wav" or "mp3"; null when it did not say. */
  readonly formatName?: string | null;
}

/**
 * Audio-only outputs: AAC in M4A (the profile's mp4), Opus in WebM, either in Matroska, as the profile
 * says. Its plan is the split's audio plan; its output is verified (every track, the source's duration).
 */
export interface AudioOnlyEncoding {
  /** `not_media` when the source has no audio track. */
  probe(input: string): Promise<AudioSourceInfo | ProbeFailure>;
  /** null when the profile has no audio (then there is nothing to make). */
  plan(profile: EncodeProfile, source: AudioSourceInfo): AudioEncodePlan | null;
  /** Writes `<attemptId>.<m4a|webm|mkv>` into the work folder, renamed into place once verified. */
  encode(plan: AudioEncodePlan, source: AudioSourceInfo, options: EncodeOptions): Promise<EncodeOutcome>;
}

/** The encoder pillar's contract under its earlier name. */
export type EncoderPlugin = EncoderEngine;

/** One audio track of a source, as a split encode keeps it: its language and whether it plays by default. */
export interface AudioTrackInfo {
  /** Absolute stream index in the source. */
  readonly index: number;
  readonly codec: string;
  /** ISO 639 tag as the source has it; null when untagged or "und". */
  readonly language: string | null;
  readonly title: string | null;
  readonly isDefault: boolean;
  /** From the first packet shown to the end of the last; null when unknown. */
  readonly durationSec: number | null;
  /** As the source stores them, when ffprobe tells. */
  readonly channels?: number;
  readonly sampleRate?: number;
}

/**
 * The audio of a split encode: encoded once for the whole source (never per chunk, so no seam can
 * click) and muxed beside the stitched video. Every track is kept, in order, with its language.
 */
export interface AudioEncodePlan {
  readonly profileName: string;
  readonly input: { readonly url: string };
  readonly tracks: readonly AudioTrackInfo[];
  readonly encoder: AudioEncoderName;
  readonly bitrateKbps: number;
  readonly sampleRate: number;
  readonly channels: number;
  readonly container: { readonly format: Container; readonly faststart: boolean };
}

/** Which check of a stitched output failed. */
export type StitchCheck =
  | "stitch_failed"
  | "unreadable"
  | "timestamps_not_increasing"
  | "gap"
  | "frame_count"
  | "timestamps_off_grid"
  | "seam_keyframe"
  | "duration"
  | "audio_tracks"
  | "av_offset"
  | "audio_duration"
  | "audio_gap";

/**
 * A stitch that may not complete the job (WE-JOB-012). The chunks are left where they were, for
 * inspection; nothing was renamed into place.
 */
export interface StitchRejected {
  readonly _tag: "StitchRejected";
  readonly code: "WE-JOB-012";
  readonly check: StitchCheck;
  readonly message: string;
  readonly hint: string;
  /** The seam (index of the chunk that starts there) the failure was found at, when it was at one. */
  readonly seamIndex: number | null;
  readonly chunks: readonly string[];
}

export interface Stitched {
  readonly _tag: "Stitched";
  readonly path: string;
  readonly frameCount: number;
  readonly durationSec: number;
  readonly sizeBytes: number;
  /** "sha256:<hex>" */
  readonly checksum: string;
}

/** SSIM of the output against the source around one seam, against the whole output's mean. */
export interface SeamQuality {
  /** Index of the chunk that starts at this seam (1 for the first seam). */
  readonly index: number;
  readonly timeSec: number;
  readonly ssim: number;
  /** `ssim` minus the mean: below zero the seam looks worse than the rest. */
  readonly delta: number;
}

export interface SeamReport {
  readonly _tag: "SeamReport";
  readonly meanSsim: number;
  readonly seams: readonly SeamQuality[];
}
