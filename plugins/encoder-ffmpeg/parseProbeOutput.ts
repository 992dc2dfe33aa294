// Reads what `ffprobe -print_format json -show_format -show_streams` said about a source into a
// SourceInfo, or a ProbeFailure saying whose fault it is (the input's, or ours).
import { z } from "zod";
import type {
  AudioStreamInfo,
  ProbeFailure,
  ProbeFailureReason,
  Rotation,
  SourceInfo,
  VideoStreamInfo,
} from "../sdk/encoderPlugin.ts";
import { rationalValue } from "./rationalValue.ts";

export interface ProbeRun {
  readonly input: string;
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /**
   * Whether the file opens with an mp4 `ftyp` box (undefined: not known, e.g. over http). ffprobe
   * says "moov atom not found" both for a cut-off mp4 and for any junk named .mp4.
   */
  readonly startsLikeMp4?: boolean;
  /** An http(s) source: network and HTTP errors are the remote side's, not a missing local file. */
  readonly remote?: boolean;
}

const numberish = z.union([z.number(), z.string()]).optional();

const streamSchema = z.looseObject({
  index: z.number(),
  codec_type: z.string().optional(),
  codec_name: z.string().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
  sample_aspect_ratio: z.string().optional(),
  r_frame_rate: z.string().optional(),
  avg_frame_rate: z.string().optional(),
  pix_fmt: z.string().optional(),
  channels: z.number().optional(),
  sample_rate: numberish,
  duration: numberish,
  disposition: z.looseObject({ attached_pic: z.number().optional() }).optional(),
  tags: z.record(z.string(), z.string()).optional(),
  side_data_list: z.array(z.looseObject({ rotation: z.number().optional() })).optional(),
});

const probeSchema = z.looseObject({
  streams: z.array(streamSchema).default([]),
  format: z
    .looseObject({ format_name: z.string().optional(), duration: numberish, size: numberish })
    .optional(),
});

type ProbedStream = z.infer<typeof streamSchema>;

type Fault = readonly [RegExp, ProbeFailureReason, string];

const UNREACHABLE_HINT =
  "Check that the URL opens from the platform's network and serves the media file itself.";

// What ffmpeg says when the remote side fails it; a redirect it may not follow reads as an I/O error.
const remoteFaults: readonly Fault[] = [
  [
    /Server returned|HTTP error|Connection refused|Connection timed out|Connection reset|Failed to resolve|Network is unreachable|No route to host|Input\/output error/i,
    "unreachable",
    "The source server cannot be read",
  ],
];

// Checked in order: a truncated mp4 also says "Invalid data found", so truncation wins.
const inputFaults: readonly Fault[] = [
  [/No such file or directory|Server returned 404|HTTP error 404/i, "not_found", "source not found"],
  [
    /moov atom not found|partial file|truncat|End of file/i,
    "truncated",
    "source is truncated (incomplete upload or copy)",
  ],
  [
    /Format not on whitelist/i,
    "not_media",
    "source is not a single media file (playlists, manifests and lists that name other files are not accepted; submit the media file itself)",
  ],
  [/not on whitelist/i, "not_media", "source URL uses a protocol that is not allowed"],
  [/Unsafe file name/i, "not_media", "source is a list that names other files, which is not accepted"],
  [
    /Invalid data found when processing input|could not find codec parameters|unknown format/i,
    "not_media",
    "source is not a media file ffmpeg can read",
  ],
];

export function parseProbeOutput(run: ProbeRun): SourceInfo | ProbeFailure {
  if (run.exitCode !== 0) {
    const lines = run.stderr.split("\n").map((line) => line.trim());
    for (const [pattern, reason, message] of run.remote ? [...remoteFaults, ...inputFaults] : inputFaults) {
      const line = lines.find((l) => pattern.test(l));
      if (line && !(reason === "truncated" && run.startsLikeMp4 === false)) {
        return failure(
          reason,
          `${message}: ${line}${reason === "unreachable" ? `. ${UNREACHABLE_HINT}` : ""}`,
        );
      }
    }
    const last = lines.filter((l) => l !== "").at(-1) ?? "no message";
    return failure("probe_error", `ffprobe failed (exit ${run.exitCode ?? "signal"}): ${last}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(run.stdout);
  } catch {
    return failure("probe_error", "ffprobe printed something that is not JSON");
  }
  const parsed = probeSchema.safeParse(json);
  if (!parsed.success) return failure("probe_error", `unexpected ffprobe output: ${parsed.error.message}`);
  const { streams, format } = parsed.data;

  const videoStream = streams.find(
    (s) => s.codec_type === "video" && s.disposition?.attached_pic !== 1 && (s.width ?? 0) > 0,
  );
  const audioStreams = streams.filter((s) => s.codec_type === "audio");
  if (!videoStream) {
    return audioStreams.length > 0
      ? failure("no_video", "source has audio but no video stream")
      : failure("not_media", "source has neither video nor audio streams");
  }
  const durationSec = positive(format?.duration) ?? positive(videoStream.duration);
  if (durationSec === null)
    return failure("not_media", "source has no duration (a still image or a live stream?)");

  const firstAudio = audioStreams[0];
  return {
    _tag: "SourceInfo",
    input: run.input,
    formatName: format?.format_name ?? "unknown",
    durationSec,
    sizeBytes: positive(format?.size),
    video: videoInfo(videoStream),
    audio: firstAudio ? audioInfo(firstAudio) : null,
    audioTrackCount: audioStreams.length,
    subtitleStreamIndexes: streams.filter((s) => s.codec_type === "subtitle").map((s) => s.index),
  };
}

function videoInfo(s: ProbedStream): VideoStreamInfo {
  const frameRate = rationalOrNull(s.r_frame_rate) ?? rationalOrNull(s.avg_frame_rate) ?? "25/1";
  const avgFrameRate = rationalOrNull(s.avg_frame_rate) ?? frameRate;
  const nominal = rationalValue(frameRate);
  const average = rationalValue(avgFrameRate);
  return {
    index: s.index,
    codec: s.codec_name ?? "unknown",
    width: s.width ?? 0,
    height: s.height ?? 0,
    sampleAspectRatio: sampleAspectRatioOf(s.sample_aspect_ratio),
    rotation: rotationOf(s),
    frameRate,
    avgFrameRate,
    variableFrameRate: Math.abs(nominal - average) / nominal > 0.01,
    pixFmt: s.pix_fmt ?? null,
  };
}

function audioInfo(s: ProbedStream): AudioStreamInfo {
  return {
    index: s.index,
    codec: s.codec_name ?? "unknown",
    channels: s.channels ?? 2,
    sampleRate: positive(s.sample_rate) ?? 48_000,
  };
}

function rotationOf(s: ProbedStream): Rotation {
  const fromSideData = s.side_data_list?.find((d) => d.rotation !== undefined)?.rotation;
  // The old rotate tag counts clockwise, the display matrix counter-clockwise.
  const degrees = fromSideData ?? -Number(s.tags?.rotate ?? 0);
  if (!Number.isFinite(degrees)) return 0;
  const quarter = (((Math.round(degrees / 90) % 4) + 4) % 4) as 0 | 1 | 2 | 3;
  return ([0, 90, 180, 270] as const)[quarter];
}

function sampleAspectRatioOf(value: string | undefined): readonly [number, number] {
  const match = /^(\d+):(\d+)$/.exec(value ?? "");
  const num = Number(match?.[1] ?? 0);
  const den = Number(match?.[2] ?? 0);
  return num > 0 && den > 0 ? [num, den] : [1, 1];
}

function rationalOrNull(value: string | undefined): string | null {
  const match = /^(\d+)\/(\d+)$/.exec(value ?? "");
  if (!match || Number(match[1]) === 0 || Number(match[2]) === 0) return null;
  return `${match[1]}/${match[2]}`;
}

function positive(value: number | string | undefined): number | null {
  const n = Number(value);
  return value !== undefined && Number.isFinite(n) && n > 0 ? n : null;
}

function failure(reason: ProbeFailureReason, message: string): ProbeFailure {
  return { _tag: "ProbeFailure", reason, message };
}
