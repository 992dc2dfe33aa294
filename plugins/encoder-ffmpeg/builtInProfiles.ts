// The profiles every worker has. 1080p_h264 is the spec's recipe, without its pad to a full
// 1920×1080 frame: players letterbox for themselves, and padding a small source would upscale it.
import type { EncodeProfile } from "../sdk/encoderPlugin.ts";

export type BuiltInProfileName = "1080p_h264" | "720p_h264" | "480p_fast";

const aac = (bitrateKbps: number): EncodeProfile["audio"] => ({
  codec: "aac",
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
};
