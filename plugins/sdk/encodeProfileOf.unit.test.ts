import { describe, expect, it } from "vitest";
import type { LadderTier, ProfileSpec } from "../../schemas/profiles/profileSpec.ts";
import { encodeProfileOf, presetFor } from "./encodeProfileOf.ts";

const spec: ProfileSpec = {
  name: "web",
  description: "",
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
    maxFps: 30,
    keyframeIntervalSec: 2,
  },
  audio: { codec: "aac", bitrateKbps: 128, sampleRate: 48_000, channels: 2 },
  container: "mp4",
  hardware: "off",
  packaging: null,
  ladder: [],
  thumbnails: null,
  subtitles: "none",
  maxAttempts: 3,
};

const tier: LadderTier = {
  name: "360p",
  maxWidth: 640,
  maxHeight: 360,
  bitrateKbps: 800,
  maxrateKbps: 900,
  bufsizeKbps: 1600,
  enabled: true,
};

describe("encodeProfileOf", () => {
  it("plans a progressive profile as it is stored, keyframes free to follow scene cuts", () => {
    const profile = encodeProfileOf(spec);
    expect(profile).toEqual({
      name: "web",
      video: { ...spec.video, alignedKeyframes: false },
      audio: spec.audio,
      container: "mp4",
      hardware: "off",
      maxAttempts: 3,
    });
  });

  it("aligns the keyframes of a packaged profile", () => {
    const packaged = {
      ...spec,
      packaging: { hls: true, dash: false, segmentSec: 6, encryption: "none" as const },
    };
    expect(encodeProfileOf(packaged).video.alignedKeyframes).toBe(true);
  });

  it("gives a tier its size and rates over the profile's, aligned, without the profile's level", () => {
    const profile = encodeProfileOf(spec, tier);
    expect(profile.name).toBe("web 360p");
    expect(profile.video).toMatchObject({
      codec: "h264",
      maxWidth: 640,
      maxHeight: 360,
      bitrateKbps: 800,
      maxrateKbps: 900,
      bufsizeKbps: 1600,
      preset: "fast",
      profile: "high",
      maxFps: 30,
      keyframeIntervalSec: 2,
      alignedKeyframes: true,
    });
    expect(profile.video.level).toBeUndefined();
  });

  it("gives a tier of another codec that codec's preset and no h264 profile", () => {
    const av1 = encodeProfileOf(spec, { ...tier, codec: "av1" });
    expect(av1.video.codec).toBe("av1");
    expect(av1.video.preset).toBe("8");
    expect(av1.video.profile).toBeUndefined();
  });

  it("keeps a null audio and the container", () => {
    const silent = encodeProfileOf({
      ...spec,
      audio: null,
      container: "webm",
      video: { ...spec.video, codec: "vp9" },
    });
    expect(silent.audio).toBeNull();
    expect(silent.container).toBe("webm");
  });
});

describe("presetFor", () => {
  it("maps x264 names to SVT-AV1 numbers and back; libvpx takes either", () => {
    expect(presetFor("av1", "medium")).toBe("6");
    expect(presetFor("av1", "8")).toBe("8");
    expect(presetFor("h264", "8")).toBe("fast");
    expect(presetFor("hevc", "slow")).toBe("slow");
    expect(presetFor("vp9", "good")).toBe("good");
  });
});
