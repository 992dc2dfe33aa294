// The profiles every installation starts with, from the spec's FFmpeg recipes. The three H.264 ones keep
// the values workers encode them with today (plugins/encoder-ffmpeg); 1080p_h264 drops the recipe's pad
// to a full frame, since players letterbox for themselves and padding a small source would upscale it.
import type { ProfileSpec } from "../../schemas/profiles/profileSpec.ts";

type Audio = NonNullable<ProfileSpec["audio"]>;
const aac = (bitrateKbps: number): Audio => ({ codec: "aac", bitrateKbps, sampleRate: 48_000, channels: 2 });
const opus = (bitrateKbps: number): Audio => ({
  codec: "opus",
  bitrateKbps,
  sampleRate: 48_000,
  channels: 2,
});

/** A progressive file: no ladder, packaging, thumbnails or subtitles. */
const single: Pick<ProfileSpec, "ladder" | "packaging" | "thumbnails" | "subtitles" | "maxAttempts"> = {
  ladder: [],
  packaging: null,
  thumbnails: null,
  subtitles: "none",
  maxAttempts: 3,
};

const h264_1080p: ProfileSpec["video"] = {
  codec: "h264",
  maxWidth: 1920,
  maxHeight: 1080,
  bitrateKbps: 5000,
  maxrateKbps: 5500,
  bufsizeKbps: 10_000,
  preset: "fast",
  profile: "high",
  level: "4.1",
  // Level 4.1 allows 1080p at 30 fps, no more.
  maxFps: 30,
  keyframeIntervalSec: 2,
};

export const builtInProfiles: Readonly<Record<string, ProfileSpec>> = {
  "1080p_h264": {
    name: "1080p H.264",
    description: "Full HD H.264 (high 4.1) with AAC in a fast-start MP4",
    video: h264_1080p,
    audio: aac(192),
    container: "mp4",
    hardware: "off",
    ...single,
  },
  "720p_h264": {
    name: "720p H.264",
    description: "HD H.264 (high 4.1) with AAC in a fast-start MP4",
    video: {
      ...h264_1080p,
      maxWidth: 1280,
      maxHeight: 720,
      bitrateKbps: 2500,
      maxrateKbps: 2750,
      bufsizeKbps: 5000,
      maxFps: 60,
    },
    audio: aac(128),
    container: "mp4",
    hardware: "off",
    ...single,
  },
  "480p_fast": {
    name: "480p fast",
    description: "SD H.264 (main 3.1) encoded quickly, for previews and slow machines",
    video: {
      ...h264_1080p,
      maxWidth: 854,
      maxHeight: 480,
      bitrateKbps: 1000,
      maxrateKbps: 1100,
      bufsizeKbps: 2000,
      preset: "veryfast",
      profile: "main",
      level: "3.1",
    },
    audio: aac(96),
    container: "mp4",
    hardware: "off",
    ...single,
  },
  "4k_hevc": {
    name: "4K HEVC",
    description: "Ultra HD HEVC on a hardware encoder where the worker has one, with AAC in MP4",
    video: {
      codec: "hevc",
      maxWidth: 3840,
      maxHeight: 2160,
      bitrateKbps: 15_000,
      maxrateKbps: 18_000,
      bufsizeKbps: 30_000,
      preset: "medium",
      profile: "main",
      maxFps: 60,
      keyframeIntervalSec: 2,
    },
    audio: aac(320),
    container: "mp4",
    hardware: "auto",
    ...single,
  },
  "720p_vp9": {
    name: "720p VP9",
    description: "HD VP9 with Opus in WebM, for browsers",
    video: {
      codec: "vp9",
      maxWidth: 1280,
      maxHeight: 720,
      bitrateKbps: 2000,
      maxrateKbps: 2400,
      bufsizeKbps: 4000,
      preset: "good",
      maxFps: 60,
      keyframeIntervalSec: 2,
    },
    audio: opus(128),
    container: "webm",
    hardware: "off",
    ...single,
  },
  "1080p_av1": {
    name: "1080p AV1",
    description: "Full HD AV1 (SVT-AV1 preset 8) with Opus in MP4",
    video: {
      codec: "av1",
      maxWidth: 1920,
      maxHeight: 1080,
      bitrateKbps: 3000,
      maxrateKbps: 3600,
      bufsizeKbps: 6000,
      preset: "8",
      maxFps: 60,
      keyframeIntervalSec: 2,
    },
    audio: opus(128),
    container: "mp4",
    hardware: "off",
    ...single,
  },
  hls_abr_3tier: {
    name: "HLS/DASH ABR, 3 tiers",
    description: "H.264 ladder 1080p/720p/480p in 6 s HLS and DASH segments, thumbnails with a storyboard",
    video: h264_1080p,
    audio: aac(128),
    container: "mp4",
    hardware: "off",
    packaging: { hls: true, dash: true, segmentSec: 6, encryption: "none" },
    ladder: [
      tier("1080p", 1920, 1080, 5000, 5500, 10_000),
      tier("720p", 1280, 720, 2500, 2750, 5000),
      tier("480p", 854, 480, 1000, 1100, 2000),
    ],
    thumbnails: { intervalSec: 10, width: 160, storyboard: true },
    subtitles: "extract",
    maxAttempts: 3,
  },
};

function tier(
  name: string,
  maxWidth: number,
  maxHeight: number,
  bitrateKbps: number,
  maxrateKbps: number,
  bufsizeKbps: number,
) {
  return { name, maxWidth, maxHeight, bitrateKbps, maxrateKbps, bufsizeKbps, enabled: true };
}
