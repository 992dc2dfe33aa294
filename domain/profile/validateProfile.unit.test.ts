import { describe, expect, it } from "vitest";
import type { ProfileSpec } from "../../schemas/profiles/profileSpec.ts";
import { builtInProfiles } from "./builtInProfiles.ts";
import { validateProfile } from "./validateProfile.ts";

const abr = builtInProfiles.hls_abr_3tier!;
const h264 = builtInProfiles["720p_h264"]!;
const fieldsOf = (spec: ProfileSpec) => validateProfile(spec).map((issue) => issue.field);
const tiers = abr.ladder;

describe("validateProfile", () => {
  it("wants maxrate ≥ bitrate and bufsize ≥ maxrate, for the profile and for each tier", () => {
    expect(fieldsOf({ ...h264, video: { ...h264.video, maxrateKbps: 2000 } })).toEqual([
      "video.maxrate_kbps",
    ]);
    expect(fieldsOf({ ...h264, video: { ...h264.video, bufsizeKbps: 2700 } })).toEqual([
      "video.bufsize_kbps",
    ]);
    const ladder = [tiers[0]!, { ...tiers[1]!, maxrateKbps: 2400, bufsizeKbps: 2300 }, tiers[2]!];
    expect(fieldsOf({ ...abr, ladder })).toEqual(["ladder.1.maxrate_kbps", "ladder.1.bufsize_kbps"]);
  });

  it("wants tiers top first, with strictly falling height and bitrate, and names unique", () => {
    expect(fieldsOf({ ...abr, ladder: [tiers[1]!, tiers[0]!, tiers[2]!] })).toEqual([
      "ladder.1.max_height",
      "ladder.1.bitrate_kbps",
    ]);
    expect(fieldsOf({ ...abr, ladder: [tiers[0]!, { ...tiers[1]!, maxHeight: 1080 }] })).toEqual([
      "ladder.1.max_height",
    ]);
    expect(fieldsOf({ ...abr, ladder: [tiers[0]!, { ...tiers[1]!, name: "1080p" }] })).toEqual([
      "ladder.1.name",
    ]);
  });

  it("lets webm carry only vp9/av1 with opus, mp4 any codec with aac or opus, mkv anything", () => {
    const vp9 = builtInProfiles["720p_vp9"]!;
    expect(fieldsOf({ ...h264, container: "webm" })).toEqual(["video.codec", "audio.codec"]);
    expect(fieldsOf({ ...vp9, audio: { ...vp9.audio!, codec: "aac" } })).toEqual(["audio.codec"]);
    expect(fieldsOf({ ...vp9, container: "mp4" })).toEqual([]);
    expect(fieldsOf({ ...h264, audio: { ...h264.audio!, codec: "opus" } })).toEqual([]);
    expect(fieldsOf({ ...h264, container: "mkv" })).toEqual([]);
    expect(fieldsOf({ ...vp9, audio: null })).toEqual([]);
    expect(fieldsOf({ ...vp9, ladder: [{ ...tiers[0]!, codec: "h264" }] })).toEqual(["ladder.0.codec"]);
  });

  it("wants packaging to make HLS or DASH, and AES-128 only with HLS", () => {
    const packaging = abr.packaging!;
    expect(fieldsOf({ ...abr, packaging: { ...packaging, hls: false, dash: false } })).toEqual([
      "packaging.hls",
    ]);
    expect(fieldsOf({ ...abr, packaging: { ...packaging, hls: false, encryption: "aes-128" } })).toEqual([
      "packaging.encryption",
    ]);
    expect(fieldsOf({ ...abr, packaging: { ...packaging, encryption: "aes-128" } })).toEqual([]);
  });

  it("takes x264/x265 preset names for h264/hevc, 0–13 for av1, good/realtime or 0–8 for vp9", () => {
    const withPreset = (codec: ProfileSpec["video"]["codec"], preset: string) =>
      fieldsOf({ ...h264, container: "mkv", video: { ...h264.video, codec, preset } });
    expect(withPreset("h264", "veryslow")).toEqual([]);
    expect(withPreset("hevc", "ultrafast")).toEqual([]);
    expect(withPreset("h264", "8")).toEqual(["video.preset"]);
    expect(withPreset("av1", "13")).toEqual([]);
    expect(withPreset("av1", "14")).toEqual(["video.preset"]);
    expect(withPreset("av1", "fast")).toEqual(["video.preset"]);
    expect(withPreset("vp9", "realtime")).toEqual([]);
    expect(withPreset("vp9", "8")).toEqual([]);
    expect(withPreset("vp9", "9")).toEqual(["video.preset"]);
  });

  it("wants at least one frame per second, and a keyframe interval of a frame or more", () => {
    expect(fieldsOf({ ...h264, video: { ...h264.video, maxFps: 0.5 } })).toEqual(["video.max_fps"]);
    expect(fieldsOf({ ...h264, video: { ...h264.video, maxFps: 1.5, keyframeIntervalSec: 0.5 } })).toEqual([
      "video.keyframe_interval_sec",
    ]);
    expect(fieldsOf({ ...h264, video: { ...h264.video, maxFps: 23.976 } })).toEqual([]);
  });

  it("says what is wrong in each issue", () => {
    expect(validateProfile({ ...h264, video: { ...h264.video, maxrateKbps: 2000 } })).toEqual([
      { field: "video.maxrate_kbps", message: "maxrate (2000) must be at least the bitrate (2500)" },
    ]);
  });
});
