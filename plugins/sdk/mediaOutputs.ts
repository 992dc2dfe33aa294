// What an encoder plugin offers beyond one progressive file: packaging an ABR ladder as HLS (fMP4/CMAF)
// and DASH from one set of media files, thumbnails with a poster and a seek-preview storyboard, and the
// source's subtitle tracks (extracted to WebVTT/SRT, or burnt in at encode time). Plain data in and out.
import type { VideoCodec } from "./encoderPlugin.ts";

/** One video rendition of a ladder, encoded (and, when split, stitched) already: video only. */
export interface PackageRendition {
  /** The tier's name, e.g. "720p"; letters, digits, "_" and "-". */
  readonly name: string;
  /** Local path of the rendition (MP4, keyframes every `keyframeIntervalSec` on the same grid as the others). */
  readonly path: string;
  readonly codec: VideoCodec;
}

/** One audio track, encoded once (AAC or Opus), packaged as its own rendition group member. */
export interface PackageAudio {
  readonly path: string;
  /** ISO 639 tag; null when untagged. */
  readonly language: string | null;
  /** What players show, e.g. "English" or the source's title. */
  readonly name: string;
  readonly isDefault: boolean;
}

/** One subtitle track as a WebVTT file. */
export interface PackageSubtitle {
  readonly path: string;
  readonly language: string | null;
  readonly name: string;
  readonly isDefault: boolean;
  readonly forced: boolean;
}

export interface PackageRequest {
  readonly renditions: readonly PackageRendition[];
  readonly audio: readonly PackageAudio[];
  readonly subtitles: readonly PackageSubtitle[];
  /** Target segment length; every segment starts on a keyframe at the same time in every rendition. */
  readonly segmentSec: number;
  readonly hls: boolean;
  readonly dash: boolean;
  /**
   * HLS AES-128 of every segment with this key; `keyUri` is written into the playlists as it is.
   * DASH is not made when set (its players would need the clear segments).
   */
  readonly encryption: null | { readonly keyUri: string; readonly keyHex: string; readonly ivHex: string };
  /** An empty local folder the package is written into; every path below is relative to it. */
  readonly outputDir: string;
  readonly signal?: AbortSignal;
}

/** What a player needs to pick a variant, as measured on the packaged segments. */
export interface PackagedVariant {
  readonly name: string;
  /** Peak segment bitrate (bits/s), as HLS BANDWIDTH wants it. */
  readonly bandwidth: number;
  readonly averageBandwidth: number;
  /** RFC 6381 codecs of the video, e.g. "avc1.64001f". */
  readonly codecs: string;
  readonly width: number;
  readonly height: number;
  readonly frameRate: number;
}

export type PackagedFileRole = "manifest" | "playlist" | "init" | "segment" | "subtitle" | "key";

export interface Packaged {
  readonly _tag: "Packaged";
  /** Relative paths; "master.m3u8" / "manifest.mpd" when made, null when not. */
  readonly hlsMaster: string | null;
  readonly dashManifest: string | null;
  readonly variants: readonly PackagedVariant[];
  /** Every file written, with its role, so the platform can store and list them. */
  readonly files: readonly {
    readonly path: string;
    readonly role: PackagedFileRole;
    readonly sizeBytes: number;
  }[];
  readonly segmentCount: number;
}

/** Why a ladder cannot be packaged as it is (WE-JOB-012 when the renditions disagree). */
export interface PackageRejected {
  readonly _tag: "PackageRejected";
  readonly check: "keyframes_misaligned" | "unreadable" | "packager_failed";
  readonly message: string;
  readonly hint: string;
}

export interface ThumbnailRequest {
  /** Local path or URL of the source (or of the encoded output). */
  readonly input: string;
  readonly durationSec: number;
  readonly intervalSec: number;
  /** Width of each thumbnail; the height keeps the display aspect. */
  readonly width: number;
  readonly storyboard: boolean;
  /** An empty local folder; every path below is relative to it. */
  readonly outputDir: string;
  readonly signal?: AbortSignal;
}

export interface Thumbnails {
  readonly _tag: "Thumbnails";
  /** A representative frame (not black), JPEG. */
  readonly poster: string;
  /** One JPEG per interval, in time order. */
  readonly thumbnails: readonly { readonly path: string; readonly timeSec: number }[];
  /** Sprite sheet(s) and the WebVTT storyboard with `#xywh=` fragments; null when not asked for. */
  readonly storyboard: null | { readonly vtt: string; readonly sprites: readonly string[] };
  readonly width: number;
  readonly height: number;
}

/** One subtitle track of a source. */
export interface SubtitleTrackInfo {
  /** Absolute stream index in the source. */
  readonly index: number;
  /** ffprobe's codec name: subrip, ass, webvtt, mov_text, hdmv_pgs_subtitle, dvd_subtitle, … */
  readonly codec: string;
  /** Text tracks can become WebVTT/SRT; bitmap ones (PGS, DVD) can only be burnt in. */
  readonly text: boolean;
  readonly language: string | null;
  readonly title: string | null;
  readonly isDefault: boolean;
  readonly forced: boolean;
}

export interface ExtractedSubtitle {
  readonly track: SubtitleTrackInfo;
  /** Relative to the request's outputDir. */
  readonly vtt: string;
  readonly srt: string;
}

export interface MediaFailure {
  readonly _tag: "MediaFailure";
  /** `input`: the source's fault (no retry); `transient`: try again. */
  readonly exitClass: "input" | "transient" | "cancelled";
  readonly message: string;
}

export interface MediaOutputs {
  /** HLS and/or DASH over the same fMP4 segments, checked for keyframe alignment before it answers. */
  packageLadder(request: PackageRequest): Promise<Packaged | PackageRejected | MediaFailure>;
  thumbnails(request: ThumbnailRequest): Promise<Thumbnails | MediaFailure>;
  /** The source's subtitle tracks, in order. */
  subtitleTracks(input: string): Promise<readonly SubtitleTrackInfo[] | MediaFailure>;
  /** Every text track as WebVTT and SRT into `outputDir`; bitmap tracks are left out. */
  extractSubtitles(
    input: string,
    outputDir: string,
    signal?: AbortSignal,
  ): Promise<readonly ExtractedSubtitle[] | MediaFailure>;
}
