// The profiles every worker has. 1080p_h264 is the spec's recipe, without its pad to a full
// 1920×1080 frame: players letterbox for themselves, and padding a small source would upscale it.
import type { EncodeProfile } from "../sdk/encoderPlugin.ts";

export type BuiltInProfileName =
  | "1080p_h264"
  | "720p_h264"
  | "480p_fast"
  | "4k_hevc"
  | "720p_vp9"
  | "1080p_av1";

const aac = (bitrateKbps: number): EncodeProfile["audio"] => ({
  codec: "aac",
  bitrateKbps,
  sampleRate: 48_000,
  channels: 2,
});

const opus = (bitrateKbps: number): EncodeProfile["audio"] => ({
  codec: "opus",
  bitrateKbps,
  sampleRate: 48_000,
  channels: 2,
});

export const builtInProfiles: Readonly<Record<BuiltInProfileName, EncodeProfile>> = {
  "1080p_h264": {
    name: "1080p_h264",
    video: {
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
    },
    audio: aac(192),
    container: "mp4",
    hardware: "off",
    maxAttempts: 3,
  },
  "720p_h264": {
    name: "720p_h264",
    video: {
      codec: "h264",
      maxWidth: 1280,
      maxHeight: 720,
      bitrateKbps: 2500,
      maxrateKbps: 2750,
      bufsizeKbps: 5000,
      preset: "fast",
      profile: "high",
      level: "4.1",
      maxFps: 60,
      keyframeIntervalSec: 2,
    },
    audio: aac(128),
    container: "mp4",
    hardware: "off",
    maxAttempts: 3,
  },
  "480p_fast": {
    name: "480p_fast",
    video: {
      codec: "h264",
      maxWidth: 854,
      maxHeight: 480,
      bitrateKbps: 1000,
      maxrateKbps: 1100,
      bufsizeKbps: 2000,
      preset: "veryfast",
      profile: "main",
      level: "3.1",
      maxFps: 30,
      keyframeIntervalSec: 2,
    },
    audio: aac(96),
    container: "mp4",
    hardware: "off",
    maxAttempts: 3,
  },
  // The spec's 4k_hevc (hevc_nvenc) in software where no GPU is proven; hardware "auto" takes NVENC.
  "4k_hevc": {
    name: "4k_hevc",
    video: {
      codec: "hevc",
      maxWidth: 3840,
      maxHeight: 2160,
      bitrateKbps: 15_000,
      maxrateKbps: 16_500,
      bufsizeKbps: 30_000,
      preset: "medium",
      maxFps: 30,
      keyframeIntervalSec: 2,
    },
    audio: aac(192),
    container: "mp4",
    hardware: "auto",
    maxAttempts: 3,
  },
  "720p_vp9": {
    name: "720p_vp9",
    video: {
      codec: "vp9",
      maxWidth: 1280,
      maxHeight: 720,
      bitrateKbps: 1800,
      maxrateKbps: 2600,
      bufsizeKbps: 3600,
      // libvpx "good" deadline at cpu-used 4: the usual speed for VOD
      preset: "4",
      maxFps: 60,
      keyframeIntervalSec: 2,
    },
    audio: opus(128),
    container: "webm",
    hardware: "off",
    maxAttempts: 3,
  },
  "1080p_av1": {
    name: "1080p_av1",
    video: {
      codec: "av1",
      maxWidth: 1920,
      maxHeight: 1080,
      bitrateKbps: 3000,
      maxrateKbps: 3600,
      bufsizeKbps: 6000,
      // SVT-AV1 preset 8 of 0–13: fast enough for VOD on CPUs (libaom-av1 is far slower)
      preset: "8",
      maxFps: 60,
      keyframeIntervalSec: 2,
    },
    audio: opus(128),
    container: "mp4",
    hardware: "off",
    maxAttempts: 3,
  },
};
