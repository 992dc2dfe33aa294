import { describe, expect, it } from "vitest";
import type { ProfileSpec } from "../profiles/profileSpec.ts";
import { profileDocumentSchema, toProfileDocument, toProfileSpec } from "./profileDocument.ts";

const everything: ProfileSpec = {
  name: "Everything",
  description: "every optional field set",
  video: {
    codec: "hevc",
    maxWidth: 3840,
    maxHeight: 2160,
    bitrateKbps: 15_000,
    maxrateKbps: 18_000,
    bufsizeKbps: 30_000,
    preset: "medium",
    profile: "main",
    level: "5.1",
    maxFps: 60,
    keyframeIntervalSec: 2,
    upscale: false,
  },
  audio: { codec: "aac", bitrateKbps: 320, sampleRate: 48_000, channels: 6 },
  container: "mkv",
  hardware: "auto",
  packaging: { hls: true, dash: false, segmentSec: 4, encryption: "aes-128" },
  ladder: [
    {
      name: "2160p",
      maxWidth: 3840,
      maxHeight: 2160,
      bitrateKbps: 15_000,
      maxrateKbps: 18_000,
      bufsizeKbps: 30_000,
      codec: "hevc",
      enabled: false,
    },
  ],
  thumbnails: { intervalSec: 10, width: 160, storyboard: true },
  subtitles: "burn_in",
  maxAttempts: 5,
  segmentBounds: { minSec: 10, targetSec: 30, maxSec: 60 },
};

describe("the profile document", () => {
  it("is the profile with snake_case keys, and maps back to the same profile", () => {
    const document = toProfileDocument(everything);
    expect(document.video).toMatchObject({ max_width: 3840, keyframe_interval_sec: 2, maxrate_kbps: 18_000 });
    expect(document.audio).toEqual({ codec: "aac", bitrate_kbps: 320, sample_rate: 48_000, channels: 6 });
    expect(document.segment_bounds).toEqual({ min_sec: 10, target_sec: 30, max_sec: 60 });
    expect(document.subtitles).toBe("burn_in");
    expect(profileDocumentSchema.parse(document)).toEqual(document);
    expect(toProfileSpec(profileDocumentSchema.parse(document))).toEqual(everything);
  });

  it("names a wrong field as the API spells it, and refuses camelCase keys", () => {
    const document = toProfileDocument(everything);
    const issues = (value: unknown) =>
      profileDocumentSchema.safeParse(value).error?.issues.map((issue) => issue.path.join("."));
    expect(issues({ ...document, video: { ...document.video, bufsize_kbps: 0 } })).toEqual([
      "video.bufsize_kbps",
    ]);
    expect(issues({ ...document, segment_bounds: { min_sec: 30, target_sec: 10, max_sec: 60 } })).toEqual([
      "segment_bounds",
    ]);
    expect(issues({ ...document, maxAttempts: 3 })).toEqual([""]);
  });
});
